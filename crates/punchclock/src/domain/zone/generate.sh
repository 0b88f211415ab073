#!/bin/sh
# Regenerates zones.tsv and aliases.tsv from the system's tzdata (Debian's
# `tzdata` package: zone.tab, iso3166.tab, tzdata.zi). Run it when tzdata
# changes; `cargo test` checks every name against jiff's database.
#   zones.tsv:   canonical zone <TAB> country (zone.tab: one line per
#                zone people pick; no backward-compatible aliases)
#   aliases.tsv: old name <TAB> canonical zone (tzdata.zi links that are not
#                picker zones, e.g. Asia/Calcutta -> Asia/Kolkata)
set -eu
Z=${ZONEINFO:-/usr/share/zoneinfo}
HERE=$(dirname "$0")
{
  echo "# From tzdata $(sed -n 's/^# version //p' "$Z/tzdata.zi") zone.tab and iso3166.tab; see generate.sh."
  awk -F'\t' 'NR==FNR { if ($0 !~ /^#/) country[$1]=$2; next }
              $0 !~ /^#/ { print $3 "\t" country[$1] }' "$Z/iso3166.tab" "$Z/zone.tab" | LC_ALL=C sort
} >"$HERE/zones.tsv"
{
  echo "# From tzdata $(sed -n 's/^# version //p' "$Z/tzdata.zi") tzdata.zi links outside zones.tsv; see generate.sh."
  awk 'NR==FNR { if ($0 !~ /^#/) { split($0, f, "\t"); pick[f[1]]=1 }; next }
       $1 == "L" && !($3 in pick) && $3 != "UTC" { print $3 "\t" $2 }' "$HERE/zones.tsv" "$Z/tzdata.zi" | LC_ALL=C sort
} >"$HERE/aliases.tsv"
