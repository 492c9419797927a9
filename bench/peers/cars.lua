-- cars.lua - benchmark peer: the reference routing guidance
-- (shared/spec/reference-guidance.md) as a LuaJIT script with lua-cjson.
--
--   luajit bench/peers/cars.lua TABLES_DIR < valid-records.jsonl
--
-- TABLES_DIR holds false_documents.csv (issuing_country,number) and
-- false_contacts.csv (value); both are loaded once, at start, into Lua
-- tables keyed by the normalised entry. CSV: a header row, then one entry
-- per line split on ',' (the reference tables never quote a field); a
-- trailing CR is ignored. Every input line is assumed to be a valid record
-- (the harness feeds peers only valid lines); blank lines are skipped.
-- Output per record: {"id":..,"outcome":..,"rules":[..]}.
--
-- JIT configuration. LuaJIT's trace compiler copes badly with the one big,
-- very branchy routing function: with the defaults it records trace after
-- side trace (hundreds of aborts and side exits, string.gsub stitching, and
-- "failed to allocate mcode memory" on a long corpus) and runs far slower
-- than the plain interpreter. Measured on a 100,000-record corpus of valid
-- records (tools/gencorpus --invalid-share 0, ~1.2 kB a record), best of
-- 3-5 runs on this 2-core machine, which others were loading too:
--   CARS_LUA_JIT=default         LuaJIT defaults              ~18,000 records/s
--     + jit.opt.start("hotloop=1000", "hotexit=100")          ~34,000 records/s
--     + maxtrace/maxrecord/maxside/maxsnap raised, or -loop   ~19-21,000
--   CARS_LUA_JIT=off             jit.off(): interpreter only   ~45,000 records/s
--   CARS_LUA_JIT=route-main-off  route and main loop off       ~47,000 records/s
--   CARS_LUA_JIT=route-off       jit.off(route, true) only     ~46,000 records/s
-- The three JIT-off configurations are equal within the noise; decoding
-- alone (cjson.decode of every line) runs at ~71,000 records/s, so it is
-- two thirds of the time. route-off, the default here, is the fastest
-- faithful configuration: the routing function runs in the interpreter,
-- while the small hot helpers (date arithmetic, the loops over history
-- lists, which can be hundreds of entries long, normalisation) and the
-- read/route/write loop stay compiled.

local cjson = require("cjson")
local null = cjson.null
local decode = cjson.decode
local floor = math.floor
local byte, sub, gsub, find, lower, upper =
  string.byte, string.sub, string.gsub, string.find, string.lower, string.upper
local concat = table.concat

-- null means "not answered" and is treated exactly like a missing field.
local function val(x)
  if x == null then return nil end
  return x
end

-- ------------------------------------------------------------ normalisation
-- As the VM normalises for the bundles carsc writes (format version 3,
-- vm/normalise.h). Blanks: Unicode White_Space and Default_Ignorable_Code_Point
-- (Unicode 14.0). Dashes: the hyphens and minus signs of document numbers.
local blank_ranges = {
  { 0x09, 0x0D }, { 0x20, 0x20 }, { 0x85, 0x85 }, { 0xA0, 0xA0 }, { 0xAD, 0xAD },
  { 0x34F, 0x34F }, { 0x61C, 0x61C }, { 0x115F, 0x1160 }, { 0x1680, 0x1680 }, { 0x17B4, 0x17B5 },
  { 0x180B, 0x180F }, { 0x2000, 0x200F }, { 0x2028, 0x202F }, { 0x205F, 0x206F }, { 0x3000, 0x3000 },
  { 0x3164, 0x3164 }, { 0xFE00, 0xFE0F }, { 0xFEFF, 0xFEFF }, { 0xFFA0, 0xFFA0 }, { 0xFFF0, 0xFFF8 },
  { 0x1BCA0, 0x1BCA3 }, { 0x1D173, 0x1D17A }, { 0xE0000, 0xE0FFF },
}
local function is_blank(cp)
  for i = 1, #blank_ranges do
    local r = blank_ranges[i]
    if cp < r[1] then return false end
    if cp <= r[2] then return true end
  end
  return false
end
local function is_dash(cp)
  return cp == 45 or (cp >= 0x2010 and cp <= 0x2015) or cp == 0x2212 or cp == 0xFE63 or cp == 0xFF0D
end

-- The code point at byte i of s and its length in bytes (records and
-- tables are valid UTF-8: the reader and carsc refuse anything else).
local function utf8_at(s, i)
  local c = byte(s, i)
  if c < 0xC0 then return c, 1 end
  local n, cp = 2, c % 32
  if c >= 0xF0 then n, cp = 4, c % 8 elseif c >= 0xE0 then n, cp = 3, c % 16 end
  for k = 1, n - 1 do cp = cp * 64 + (byte(s, i + k) or 0) % 64 end
  return cp, n
end

local function trim(s)
  local a, z = byte(s, 1), byte(s, -1)
  if a == nil or (a > 32 and a < 128 and z > 32 and z < 128) then return s end -- nothing to trim
  local i, j = 1, #s
  while i <= j do
    local cp, n = utf8_at(s, i)
    if not is_blank(cp) then break end
    i = i + n
  end
  while j >= i do
    local k = j
    while k > i and byte(s, k) >= 0x80 and byte(s, k) < 0xC0 do k = k - 1 end
    if not is_blank((utf8_at(s, k))) then break end
    j = k - 1
  end
  return sub(s, i, j)
end

local function norm_document(s) -- blanks and dashes removed, ASCII upper-cased
  if find(s, "[\t-\r %-\128-\255]") then
    local out, i, n = {}, 1, #s
    while i <= n do
      local cp, len = utf8_at(s, i)
      if not is_blank(cp) and not is_dash(cp) then out[#out + 1] = sub(s, i, i + len - 1) end
      i = i + len
    end
    s = concat(out)
  end
  return (gsub(s, "%l+", upper)) -- ASCII only, whatever the locale
end

local function ascii_lower(s) return (gsub(s, "%u+", lower)) end

local function norm_email(s) -- trimmed, ASCII lower-cased
  return ascii_lower(trim(s))
end

local function norm_phone(s) -- trimmed, then ASCII digits only, a leading '+' kept
  s = trim(s)
  local digits = gsub(s, "[^0-9]", "")
  if byte(s, 1) == 43 then return "+" .. digits end
  return digits
end

-- A table entry of a contact column: an email if it holds '@', else a
-- phone. A record's email and phone fields are normalised by what they hold.
local function norm_contact(s)
  if find(s, "@", 1, true) then return norm_email(s) end
  return norm_phone(s)
end

-- ------------------------------------------------------------ tables
local function csv_rows(path)
  local f = assert(io.open(path, "rb"))
  local rows, first = {}, true
  for line in f:lines() do
    line = gsub(line, "\r$", "")
    if first then
      first = false
    elseif line ~= "" then
      local fields = {}
      for field in (line .. ","):gmatch("([^,]*),") do fields[#fields + 1] = field end
      rows[#rows + 1] = fields
    end
  end
  f:close()
  return rows
end

local dir = arg[1] or "rulesets/cars-v/tables"
local false_documents, false_contacts = {}, {}
for _, row in ipairs(csv_rows(dir .. "/false_documents.csv")) do
  false_documents[row[1] .. "\31" .. norm_document(row[2])] = true
end
for _, row in ipairs(csv_rows(dir .. "/false_contacts.csv")) do
  false_contacts[norm_contact(row[1])] = true
end

-- ------------------------------------------------------------ dates
local function ymd(s)
  return tonumber(sub(s, 1, 4)), tonumber(sub(s, 6, 7)), tonumber(sub(s, 9, 10))
end

-- days since 1970-01-01 (proleptic Gregorian)
local function day_number(s)
  local y, m, d = ymd(s)
  if m <= 2 then y = y - 1 end
  local era = floor(y / 400)
  local yoe = y - era * 400
  local mp = m > 2 and m - 3 or m + 9
  local doy = floor((153 * mp + 2) / 5) + d - 1
  local doe = yoe * 365 + floor(yoe / 4) - floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
end

local function is_leap(y)
  return (y % 4 == 0 and y % 100 ~= 0) or y % 400 == 0
end

-- completed years from `from` to `to`; a 29 February birthday falls on
-- 1 March in years that are not leap years
local function years_between(from, to)
  local by, bm, bd = ymd(from)
  local ty, tm, td = ymd(to)
  if bm == 2 and bd == 29 and not is_leap(ty) then bm, bd = 3, 1 end
  local years = ty - by
  if tm < bm or (tm == bm and td < bd) then years = years - 1 end
  return years
end

-- ------------------------------------------------------------ list helpers
-- Each returns nil (unknown) when the list itself is absent.
local function count_since(list, since)
  if list == nil then return nil end
  local n = 0
  for i = 1, #list do
    if list[i].year >= since then n = n + 1 end
  end
  return n
end

local function all_complied(list)
  if list == nil then return nil end
  for i = 1, #list do
    if not list[i].complied then return false end
  end
  return true
end

local function any_complied(list)
  if list == nil then return nil end
  for i = 1, #list do
    if list[i].complied then return true end
  end
  return false
end

local long_haul_allies = { USA = true, CAN = true, AUS = true, NZL = true, JPN = true, IRL = true }

local function any_complied_travel_to(list, countries, since)
  if list == nil then return nil end
  for i = 1, #list do
    local t = list[i]
    if countries[t.country] and t.complied and t.year >= since then return true end
  end
  return false
end

local function in_contacts(s, norm)
  return s ~= nil and false_contacts[norm(s)] == true
end

-- ------------------------------------------------------------ routing
local not_rated_routes = {
  overseas_domestic_worker = true, direct_airside_transit = true,
  joining_ship = true, exempt_vignette = true, commonwealth_ot = true,
}
local profile_nationalities = { QZA = true, QZB = true }
local working_statuses = { employed = true, self_employed = true }
local EMPTY = {}

local function obj(x) -- an optional object: absent reads as empty
  x = val(x)
  if x == nil then return EMPTY end
  return x
end

-- Returns outcome, list of rule ids (in ruleset order).
local function route(r)
  -- Stage 0: scope
  if not_rated_routes[r.route] then return "NONE", { "SCOPE-1" } end

  local applicant, passport = r.applicant, r.applicant.passport
  local visit = r.visit
  local sponsor = obj(visit.sponsor)
  local contact = obj(r.contact)
  local ry = ymd(r.received)
  local age = years_between(applicant.date_of_birth, r.received)
  local purpose = visit.purpose
  local length = val(visit.length_days)
  local uk = r.uk_history
  local visits, refusals = val(uk.visits), val(uk.refusals)
  local travel = val(r.travel_history)
  local rules = {}

  -- Stage 1: bulk data tables -> CXDR
  if false_documents[passport.issuing_country .. "\31" .. norm_document(passport.number)] then
    rules[#rules + 1] = "BDT-DOC"
  end
  if in_contacts(val(contact.email), norm_email) or in_contacts(val(contact.phone), norm_phone)
    or in_contacts(val(sponsor.email), norm_email) or in_contacts(val(sponsor.phone), norm_phone) then
    rules[#rules + 1] = "BDT-CONTACT"
  end
  if #rules > 0 then return "CXDR", rules end

  -- Stage 2: risk profiles -> CXDR
  if purpose == "business" and length ~= nil and length > 90
    and val(visit.funding) == "sponsor" then
    rules[#rules + 1] = "PRF-001"
  end
  if profile_nationalities[applicant.nationality] and age >= 18 and age <= 29
    and purpose == "tourism" and count_since(travel, ry - 5) == 0 then
    rules[#rules + 1] = "PRF-002"
  end
  local arrival, expiry = val(visit.arrival_date), val(passport.expiry_date)
  if arrival ~= nil and length ~= nil and expiry ~= nil
    and day_number(arrival) + length > day_number(expiry) then
    rules[#rules + 1] = "PRF-003"
  end
  if #rules > 0 then return "CXDR", rules end

  -- Stage 3: single PCAs; complex first -> CXDR
  local c = r.criminality
  if c.convictions or c.pending_charges or c.cautions
    or c.terrorism_or_extremism or c.war_crimes then
    rules[#rules + 1] = "S-CX-1"
  end
  if uk.overstayed or uk.removed_or_deported or uk.breached_conditions then
    rules[#rules + 1] = "S-CX-2"
  end
  local recent_refusals = count_since(refusals, ry - 10)
  if recent_refusals ~= nil and recent_refusals >= 1 then
    rules[#rules + 1] = "S-CX-3"
  end
  if val(r.medical_treatment_planned) == true or purpose == "medical" then
    rules[#rules + 1] = "S-CX-4"
  end
  if #rules > 0 then return "CXDR", rules end

  -- non-complex -> NCXDR
  local recent_visits = count_since(visits, ry - 5)
  if recent_visits ~= nil and recent_visits >= 2 and all_complied(visits)
    and refusals ~= nil and #refusals == 0 then
    return "NCXDR", { "S-NCX-1" }
  end

  -- Stage 4: multiple PCAs
  local tier_a = 0
  if any_complied_travel_to(travel, long_haul_allies, ry - 5) then
    rules[#rules + 1] = "M-A1"; tier_a = tier_a + 1
  end
  if any_complied(visits) then
    rules[#rules + 1] = "M-A2"; tier_a = tier_a + 1
  end
  local employment = obj(r.employment)
  local years_in_role = val(employment.years_in_role)
  if working_statuses[val(employment.status)] and years_in_role ~= nil and years_in_role >= 2 then
    rules[#rules + 1] = "M-A3"; tier_a = tier_a + 1
  end
  local income = val(employment.monthly_income_gbp)
  if income ~= nil and income >= 1500 then rules[#rules + 1] = "M-B1" end
  local finances = obj(r.finances)
  local savings, cost = val(finances.savings_gbp), val(visit.cost_gbp)
  if savings ~= nil and cost ~= nil and savings >= 3 * cost then rules[#rules + 1] = "M-B2" end
  if val(finances.owns_property) == true then rules[#rules + 1] = "M-B3" end
  local family = obj(r.family)
  local dependants = val(family.dependants_at_home)
  if val(family.partner_at_home) == true or (dependants ~= nil and dependants >= 1) then
    rules[#rules + 1] = "M-B4"
  end
  if length ~= nil and length <= 30 then rules[#rules + 1] = "M-B5" end
  if age >= 25 and age <= 70 then rules[#rules + 1] = "M-B6" end

  if #rules >= 3 and tier_a >= 1 then return "NCXPCA", rules end
  return "CXPCA", rules
end

-- ------------------------------------------------------------ output
-- JSON string, escaped as jq escapes it (cjson would write '/' as '\/').
local escapes = { ['"'] = '\\"', ['\\'] = '\\\\', ['\b'] = '\\b', ['\f'] = '\\f',
                  ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t' }
local function escape(ch)
  return escapes[ch] or string.format("\\u%04x", byte(ch))
end
local function json_string(s)
  if not find(s, '[%c"\\]') then return '"' .. s .. '"' end
  return '"' .. gsub(s, '[%c"\\]', escape) .. '"'
end

-- The read/route/write loop.
local function main()
  local out, n = {}, 0
  local write = io.write
  for line in io.lines() do
    if find(line, "%S") then
      local r = decode(line)
      local outcome, rules = route(r)
      n = n + 1
      out[n] = '{"id":' .. json_string(r.id) .. ',"outcome":"' .. outcome
        .. '","rules":[' .. (#rules > 0 and '"' .. concat(rules, '","') .. '"' or "") .. ']}\n'
      if n == 512 then
        write(concat(out)); out, n = {}, 0
      end
    end
  end
  write(concat(out, "", 1, n))
end

local mode = os.getenv("CARS_LUA_JIT") or "route-off"
if mode == "route-off" then
  jit.off(route, true)
elseif mode == "route-main-off" then
  jit.off(route, true); jit.off(main, true)
elseif mode == "off" then
  jit.off()
elseif mode ~= "default" then
  error("CARS_LUA_JIT: default, route-off, route-main-off or off")
end
main()
