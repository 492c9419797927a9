# cars.jq - benchmark peer: the reference routing guidance
# (shared/spec/reference-guidance.md) written as a plain jq program.
#
# Run (bench/peers/check.sh and bench/compare.sh do this):
#
#   jq -nc --rawfile docs    TABLES/false_documents.csv \
#          --rawfile contacts TABLES/false_contacts.csv \
#          -f bench/peers/cars.jq < valid-records.jsonl
#
# The two CSV files are passed in raw (--rawfile, jq >= 1.6) and parsed
# once, before the first record, into objects keyed by the normalised value;
# `-n` + `inputs` is what makes that "once": a top-level expression of a
# jq program without -n would be evaluated again for every input.
# CSV: a header row, then one entry per line, fields split on ',' (the
# reference tables never quote a field); a trailing CR is ignored.
#
# Output per record: {"id":..,"outcome":..,"rules":[..]} (compact with -c).
# Every input is assumed to be a valid record (the harness feeds peers only
# valid lines).
#
# Missing data: a field that is missing or null is absent, and a rule whose
# inputs are absent does not match. jq orders null below every number
# (null <= 30 is true!), so every comparison below guards for presence.

# ---------------------------------------------------------------- helpers

def present: . != null;

# Blanks, as the VM trims them (bundle format version 3, vm/normalise.h):
# Unicode White_Space and Default_Ignorable_Code_Point (Unicode 14.0).
def blank: "[\t-\r \u0085\u00a0\u00ad\u034f\u061c\u115f\u1160\u1680\u17b4\u17b5\u180b-\u180f\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\ud82f\udca0-\ud82f\udca3\ud834\udd73-\ud834\udd7a\udb40\udc00-\udb43\udfff]";
# Dashes a document number may be typed with.
def dash: "[-\u2010-\u2015\u2212\ufe63\uff0d]";
# (jq 1.6 compiles a regex on every call, so the common case, nothing to
# trim, costs one test.)
def trim:
  if test("\\A" + blank + "|" + blank + "\\z")
  then sub("\\A" + blank + "+"; "") | sub(blank + "+\\z"; "")
  else . end;

# Normalisations (reference-guidance, "Stage 1"; docs/language.md tables).
# ascii_downcase/ascii_upcase and explode|map|implode walk every character
# in jq code, so each is skipped (by one regex test) when it has nothing to do.
def norm_document:  # blanks and dashes removed, ASCII upper-cased
  (if test(blank + "|" + dash) then gsub(blank + "|" + dash; "") else . end)
  | if test("[a-z]") then ascii_upcase else . end;
def norm_email: trim | if test("[A-Z]") then ascii_downcase else . end;
def norm_phone:     # trimmed, then ASCII digits only, a leading '+' kept
  trim
  | (if startswith("+") then "+" else "" end)
    + (explode | map(select(. >= 48 and . <= 57)) | implode);
# A table entry of a contact column: an email if it holds '@', else a phone.
# A record's email and phone fields are normalised by what they hold.
def norm_contact: if index("@") then norm_email else norm_phone end;

# CSV text -> list of rows (each a list of fields), header dropped.
def csv_rows:
  split("\n") | .[1:]
  | map(sub("\r$"; "") | select(length > 0) | split(","));

# Dates "YYYY-MM-DD" -> [y, m, d]; day number (days since 1970-01-01).
def ymd: [.[0:4], .[5:7], .[8:10] | tonumber];
def day_number:
  ymd as [$y0, $m, $d]
  | (if $m <= 2 then $y0 - 1 else $y0 end) as $y
  | (($y / 400) | floor) as $era
  | ($y - $era * 400) as $yoe
  | ((((153 * (if $m > 2 then $m - 3 else $m + 9 end) + 2) / 5) | floor) + $d - 1)
    as $doy
  | ($yoe * 365 + (($yoe / 4) | floor) - (($yoe / 100) | floor) + $doy) as $doe
  | $era * 146097 + $doe - 719468;

def leap($y): ($y % 4 == 0 and $y % 100 != 0) or $y % 400 == 0;

# Completed years from date $from to date $to; a 29 February birthday falls
# on 1 March in years that are not leap years.
def years_between($from; $to):
  ($from | ymd) as [$by, $bm, $bd]
  | ($to | ymd) as [$ty, $tm, $td]
  | (if $bm == 2 and $bd == 29 and (leap($ty) | not) then [3, 1] else [$bm, $bd] end)
    as $birthday
  | $ty - $by - (if [$tm, $td] < $birthday then 1 else 0 end);

# ---------------------------------------------------------------- the rules

def ruleset_order: [
  "SCOPE-1", "BDT-DOC", "BDT-CONTACT", "PRF-001", "PRF-002", "PRF-003",
  "S-CX-1", "S-CX-2", "S-CX-3", "S-CX-4", "S-NCX-1",
  "M-A1", "M-A2", "M-A3", "M-B1", "M-B2", "M-B3", "M-B4", "M-B5", "M-B6"];

def not_rated_routes: ["overseas_domestic_worker", "direct_airside_transit",
  "joining_ship", "exempt_vignette", "commonwealth_ot"];
def long_haul_allies: ["USA", "CAN", "AUS", "NZL", "JPN", "IRL"];

# Route one record. $docs / $contacts: objects whose keys are the normalised
# table entries (documents: "COUNTRY\u001fNUMBER").
def route($docs; $contacts):
  . as $r
  | ($r.received | ymd[0]) as $ry
  | years_between($r.applicant.date_of_birth; $r.received) as $age
  | $r.visit as $v
  | ($r.uk_history.visits) as $ukv
  | ($r.uk_history.refusals) as $ukr
  | ($r.travel_history) as $th
  | def in_table($t; norm): present and ($t[norm] // false);
    def decided($outcome; $ids):
      {id: $r.id, outcome: $outcome, rules: $ids};

  # Stage 0: scope
  if ($r.route | IN(not_rated_routes[])) then decided("NONE"; ["SCOPE-1"])
  else
    # Stage 1: bulk data tables
    [ (if $docs[$r.applicant.passport.issuing_country + "\u001f"
                + ($r.applicant.passport.number | norm_document)]
       then "BDT-DOC" else empty end),
      (if ($r.contact.email | in_table($contacts; norm_email))
          or ($r.contact.phone | in_table($contacts; norm_phone))
          or ($v.sponsor.email | in_table($contacts; norm_email))
          or ($v.sponsor.phone | in_table($contacts; norm_phone))
       then "BDT-CONTACT" else empty end)
    ] as $screens
  | if $screens != [] then decided("CXDR"; $screens)
    else
    # Stage 2: risk profiles
    [ (if $v.purpose == "business"
          and ($v.length_days | present and . > 90)
          and $v.funding == "sponsor"
       then "PRF-001" else empty end),
      (if ($r.applicant.nationality | IN("QZA", "QZB"))
          and $age >= 18 and $age <= 29
          and $v.purpose == "tourism"
          and ($th | present and all(.[]; .year < $ry - 5))
       then "PRF-002" else empty end),
      (if ($v.arrival_date | present) and ($v.length_days | present)
          and ($r.applicant.passport.expiry_date | present)
          and ($v.arrival_date | day_number) + $v.length_days
              > ($r.applicant.passport.expiry_date | day_number)
       then "PRF-003" else empty end)
    ] as $profiles
  | if $profiles != [] then decided("CXDR"; $profiles)
    else
    # Stage 3: single PCAs, complex first
    [ (if $r.criminality | (.convictions or .pending_charges or .cautions
                            or .terrorism_or_extremism or .war_crimes)
       then "S-CX-1" else empty end),
      (if $r.uk_history | (.overstayed or .removed_or_deported
                           or .breached_conditions)
       then "S-CX-2" else empty end),
      (if $ukr | present and any(.[]; .year >= $ry - 10)
       then "S-CX-3" else empty end),
      (if $r.medical_treatment_planned == true or $v.purpose == "medical"
       then "S-CX-4" else empty end)
    ] as $complex
  | if $complex != [] then decided("CXDR"; $complex)
    elif ($ukv | present and (map(select(.year >= $ry - 5)) | length) >= 2
                 and all(.[]; .complied))
         and ($ukr | present and length == 0)
    then decided("NCXDR"; ["S-NCX-1"])
    else
    # Stage 4: multiple PCAs
    [ (if $th | present and any(.[]; (.country | IN(long_haul_allies[]))
                                      and .complied and .year >= $ry - 5)
       then "M-A1" else empty end),
      (if $ukv | present and any(.[]; .complied) then "M-A2" else empty end),
      (if ($r.employment.status | IN("employed", "self_employed"))
          and ($r.employment.years_in_role | present and . >= 2)
       then "M-A3" else empty end),
      (if $r.employment.monthly_income_gbp | present and . >= 1500
       then "M-B1" else empty end),
      (if ($r.finances.savings_gbp | present) and ($v.cost_gbp | present)
          and $r.finances.savings_gbp >= 3 * $v.cost_gbp
       then "M-B2" else empty end),
      (if $r.finances.owns_property == true then "M-B3" else empty end),
      (if $r.family.partner_at_home == true
          or ($r.family.dependants_at_home | present and . >= 1)
       then "M-B4" else empty end),
      (if $v.length_days | present and . <= 30 then "M-B5" else empty end),
      (if $age >= 25 and $age <= 70 then "M-B6" else empty end)
    ] as $multiple
  | if ($multiple | length) >= 3 and any($multiple[]; startswith("M-A"))
    then decided("NCXPCA"; $multiple)
    else decided("CXPCA"; $multiple)
    end end end end end;

# ---------------------------------------------------------------- main

($docs | csv_rows
 | map({key: (.[0] + "\u001f" + (.[1] | norm_document)), value: true})
 | from_entries) as $doc_table
| ($contacts | csv_rows
   | map({key: (.[0] | norm_contact), value: true})
   | from_entries) as $contact_table
| inputs
| route($doc_table; $contact_table)
