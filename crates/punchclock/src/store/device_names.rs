//! A device's name-encoding setting, and decoding again the names it sent
//! (issue 14 item 12). Only `name_from_device` is rewritten: the first and
//! last names a person typed are never touched.

use super::{Result, Store};
use crate::domain::{CompanyId, DeviceId, NameSetting};

impl Store {
    /// Sets the device's setting and, in the same transaction, decodes
    /// again the kept bytes of every name that device sent. Returns how
    /// many names changed. `NotFound` when the device is not the company's.
    pub async fn set_device_name_encoding(
        &self,
        company_id: CompanyId,
        device_id: DeviceId,
        setting: NameSetting,
    ) -> Result<u64> {
        self.transaction(async |tx| {
            let language: Option<i64> = on_tx!(tx, |conn| {
                sqlx::query_scalar(
                    "UPDATE devices SET name_encoding = $3 \
                     WHERE id = $1 AND company_id = $2 RETURNING push_language",
                )
                .bind(device_id.0)
                .bind(company_id.0)
                .bind(setting.as_str())
                .fetch_one(conn)
                .await?
            });
            let how = setting.decoding(language.and_then(|l| u16::try_from(l).ok()));
            let sent: Vec<(i64, Vec<u8>, Option<String>)> = on_tx!(tx, |conn| {
                sqlx::query_as(
                    "SELECT id, name_bytes, name_from_device FROM employees \
                     WHERE company_id = $1 AND name_device_id = $2 AND name_bytes IS NOT NULL \
                     ORDER BY id",
                )
                .bind(company_id.0)
                .bind(device_id.0)
                .fetch_all(conn)
                .await?
            });
            let now = self.now();
            let mut changed = 0;
            for (id, bytes, old) in sent {
                let name = how.decode(&bytes);
                if name.is_empty() || old.as_deref() == Some(name.as_str()) {
                    continue;
                }
                changed += on_tx!(tx, |conn| {
                    sqlx::query(
                        "UPDATE employees SET name_from_device = $3, updated_at = $4 \
                         WHERE id = $1 AND company_id = $2",
                    )
                    .bind(id)
                    .bind(company_id.0)
                    .bind(&name)
                    .bind(now)
                    .execute(conn)
                    .await?
                    .rows_affected()
                });
            }
            Ok(changed)
        })
        .await
    }
}
