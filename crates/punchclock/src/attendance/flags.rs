//! Day flags: a code for machines and a plain-words reason for people.

use serde::ser::{Serialize, SerializeSeq, SerializeStruct, Serializer};

/// Why a day deserves a second look. Codes are the API's `flags[].code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FlagCode {
    MissingIn,
    MissingOut,
    DoubleTapMerged,
    StatusConflict,
    UnassignedPunch,
    ManualPunch,
    VoidedPunch,
    Provisional,
}

impl FlagCode {
    pub const ALL: [FlagCode; 8] = [
        FlagCode::MissingIn,
        FlagCode::MissingOut,
        FlagCode::DoubleTapMerged,
        FlagCode::StatusConflict,
        FlagCode::UnassignedPunch,
        FlagCode::ManualPunch,
        FlagCode::VoidedPunch,
        FlagCode::Provisional,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FlagCode::MissingIn => "missing_in",
            FlagCode::MissingOut => "missing_out",
            FlagCode::DoubleTapMerged => "double_tap_merged",
            FlagCode::StatusConflict => "status_conflict",
            FlagCode::UnassignedPunch => "unassigned_punch",
            FlagCode::ManualPunch => "manual_punch",
            FlagCode::VoidedPunch => "voided_punch",
            FlagCode::Provisional => "provisional",
        }
    }

    /// The explanation shown next to the flag.
    pub fn message(self) -> &'static str {
        match self {
            FlagCode::MissingIn => {
                "A check-in is missing: a check-out has no check-in before it, so it is not \
                 counted. Add the missing punch."
            }
            FlagCode::MissingOut => {
                "A check-out is missing: a check-in has no check-out after it, so the time \
                 after it is not counted. Add the missing punch."
            }
            FlagCode::DoubleTapMerged => {
                "Punches seconds apart were counted once, as the first of them (a double tap). \
                 They are still listed."
            }
            FlagCode::StatusConflict => {
                "The in/out key pressed on the clock disagrees with the order of the punches; \
                 the order was used because the keys are not marked reliable."
            }
            FlagCode::UnassignedPunch => {
                "A punch is outside every shift window, so it is not counted. Check it, or \
                 change the shift or its window."
            }
            FlagCode::ManualPunch => "An admin added a punch by hand.",
            FlagCode::VoidedPunch => "An admin voided a punch: it is listed but not counted.",
            FlagCode::Provisional => {
                "Not final yet: the shift window is still open, or a clock has not been read \
                 since it closed. Punches may still arrive."
            }
        }
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// One flag as the API shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag {
    pub code: FlagCode,
    pub message: &'static str,
}

impl Serialize for Flag {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Flag", 2)?;
        st.serialize_field("code", self.code.as_str())?;
        st.serialize_field("message", self.message)?;
        st.end()
    }
}

/// The flags of a day, without allocation. Serialises as `[{code, message}]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FlagSet(u16);

impl FlagSet {
    pub fn insert(&mut self, code: FlagCode) {
        self.0 |= code.bit();
    }
    pub fn contains(self, code: FlagCode) -> bool {
        self.0 & code.bit() != 0
    }
    /// The set as bits, for storage; [`FlagSet::from_bits`] reads it back.
    pub fn bits(self) -> u16 {
        self.0
    }
    /// Bits as [`FlagSet::bits`] wrote them; unknown bits are dropped.
    pub fn from_bits(bits: u16) -> FlagSet {
        let known = FlagCode::ALL.iter().fold(0, |m, c| m | c.bit());
        FlagSet(bits & known)
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn iter(self) -> impl Iterator<Item = Flag> {
        FlagCode::ALL
            .into_iter()
            .filter(move |c| self.contains(*c))
            .map(|code| Flag {
                code,
                message: code.message(),
            })
    }
}

impl Serialize for FlagSet {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for flag in self.iter() {
            seq.serialize_element(&flag)?;
        }
        seq.end()
    }
}
