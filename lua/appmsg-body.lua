-- The Lua edition of the AppMsg dissector, for a Wireshark that cannot load the C plugin (the
-- Windows and macOS installers). The head before this (lua/lua_header.c) made F and FIELD_LIST
-- (fields), E and EXPERT_LIST (expert infos), P (preferences) and PROBLEMS from the C plugin's
-- own lists. This follows the C plugin's rules (core/appmsg_frame.c, appmsg_mistakes.c,
-- appmsg_reader.c, appmsg_conn.c, appmsg_json.c) and says what it shows in the same words
-- (plugin/appmsg-show.c); tests/checks/lua.py holds the two editions equal.
--
-- Runs on Wireshark 4.0 (Lua 5.2) to 4.6 (Lua 5.4): no bit32, no integer operators.

local appmsg = Proto("appmsg", "AppMsg Magic-Number Application Protocol")
appmsg.fields = FIELD_LIST
appmsg.experts = EXPERT_LIST
for _, p in ipairs(P) do
  appmsg.prefs[p[1]] = p[2](p[3], p[4], p[5])
end

local byte, sub, find, match, format = string.byte, string.sub, string.find, string.match,
  string.format
local floor = math.floor

local MAGIC, MAGIC_LE = 0x12345678, 0x78563412
local MAGIC_BYTES, MAGIC_LE_BYTES = "\18\52\86\120", "\120\86\52\18"
local HDR_LEN, CHECKED_HDR_LEN = 12, 16
local C2S, S2C = 0, 1

-- Problems, as bits in the order of PROBLEMS (the Info column lists them in that order).
local ERR = {}
for i, p in ipairs(PROBLEMS) do ERR[p[1]] = 2 ^ (i - 1) end
local function has(bits, bit) return bits % (2 * bit) >= bit end

-- The framing core's mistakes.
local LE_HEADER, LE_LENGTH, LENGTH_WITH_HEADER, LENGTH_IN_CHARS = 1, 2, 4, 8

-- A time difference in seconds as Wireshark's relative time (to the nanosecond).
local function nstime(seconds)
  local secs = floor(seconds)
  local nsecs = floor((seconds - secs) * 1e9 + 0.5)
  if nsecs >= 1e9 then secs, nsecs = secs + 1, nsecs - 1e9 end
  return NSTime.new(secs, nsecs)
end

-- ---- Bytes ------------------------------------------------------------------------------------
-- s is a Lua string of the data, offsets count from 0 as in the C plugin.

local function u32(s, off)
  local a, b, c, d = byte(s, off + 1, off + 4)
  return ((a * 256 + b) * 256 + c) * 256 + d
end

local function u32_le(s, off)
  local a, b, c, d = byte(s, off + 1, off + 4)
  return ((d * 256 + c) * 256 + b) * 256 + a
end

local function swap32(v)
  local a = floor(v / 16777216) % 256
  local b = floor(v / 65536) % 256
  local c = floor(v / 256) % 256
  local d = v % 256
  return ((d * 256 + c) * 256 + b) * 256 + a
end

-- Which magic four bytes are: 1 big-endian, 2 little-endian, else nil. (Bytes compared, not a
-- string made of them: a short string is interned, a cost per message.)
local function magic_kind(a, b, c, d)
  if a == 0x12 and b == 0x34 and c == 0x56 and d == 0x78 then return 1 end
  if a == 0x78 and b == 0x56 and c == 0x34 and d == 0x12 then return 2 end
end

-- The magic that starts at off (off < len): whole, or as much of one as the data has left.
local function magic_kind_at(s, len, off)
  local left = len - off
  if left >= 4 then return magic_kind(byte(s, off + 1, off + 4)) end
  local head = sub(s, off + 1, len)
  if head == sub(MAGIC_BYTES, 1, left) then return 1 end
  if head == sub(MAGIC_LE_BYTES, 1, left) then return 2 end
end

-- The first offset in [from, limit) where pattern starts, whole or (at the data's end) as much
-- of it as there is; limit when there is none.
local function find_pattern(s, len, from, limit, pattern)
  local p = find(s, pattern, from + 1, true)
  if p and p - 1 < limit then return p - 1 end
  for at = (len - 3 > from) and (len - 3) or from, len - 1 do
    if at >= limit then break end
    local left = len - at
    if left < 4 and sub(s, at + 1, len) == sub(pattern, 1, left) then return at end
  end
  return limit
end

-- The first magic (either byte order) at or after from, or the start of one at the end.
local function find_magic(s, len, from)
  local be = find_pattern(s, len, from, len, MAGIC_BYTES)
  return find_pattern(s, len, from, be, MAGIC_LE_BYTES)
end

-- CRC-32 (IEEE 802.3), as zlib computes it, for the checked layout.
local bitlib = bit32 or bit
local crc_table
local function crc32(s, from, to)
  local bxor, band, rshift = bitlib.bxor, bitlib.band, bitlib.rshift
  if not crc_table then
    crc_table = {}
    for i = 0, 255 do
      local c = i
      for _ = 1, 8 do
        if band(c, 1) == 1 then c = bxor(0xEDB88320, rshift(c, 1)) else c = rshift(c, 1) end
      end
      crc_table[i] = c
    end
  end
  local crc = 0xFFFFFFFF
  for i = from + 1, to do
    crc = bxor(crc_table[band(bxor(crc, byte(s, i)), 0xFF)], rshift(crc, 8))
  end
  crc = bxor(crc, 0xFFFFFFFF)
  if crc < 0 then crc = crc + 4294967296 end
  return crc
end

-- ---- Text: UTF-8 and JSON (core/appmsg_utf8.c, core/appmsg_json.c) ----------------------------

local function utf8_chars(s, from, to)
  local n = 0
  for i = from + 1, to do
    local b = byte(s, i)
    if b < 0x80 or b >= 0xC0 then n = n + 1 end
  end
  return n
end

local function utf8_bytes_of_chars(s, from, avail, chars)
  local at = 0
  for _ = 1, chars do
    if at == avail then return 0 end
    local b = byte(s, from + at + 1)
    local n = b < 0x80 and 1 or b >= 0xF0 and 4 or b >= 0xE0 and 3 or 2
    if avail - at < n then return 0 end
    at = at + n
  end
  return at
end

-- One UTF-8 sequence at i (1-based) with a lead byte >= 0x80: its end + 1, or nil.
local function skip_utf8(s, i, e)
  local b = byte(s, i)
  local lo, hi, more = 0x80, 0xBF, nil
  if b >= 0xC2 and b <= 0xDF then more = 1
  elseif b >= 0xE0 and b <= 0xEF then
    more = 2
    if b == 0xE0 then lo = 0xA0 end
    if b == 0xED then hi = 0x9F end
  elseif b >= 0xF0 and b <= 0xF4 then
    more = 3
    if b == 0xF0 then lo = 0x90 end
    if b == 0xF4 then hi = 0x8F end
  else return nil end
  if e - i < more then return nil end
  local c1 = byte(s, i + 1)
  if c1 < lo or c1 > hi then return nil end
  for k = 2, more do
    local c = byte(s, i + k)
    if c < 0x80 or c > 0xBF then return nil end
  end
  return i + more + 1
end

-- Whether s[from, to) is valid UTF-8 without NUL (glib's g_utf8_validate); else the offset of
-- the first bad byte, from from.
local function utf8_valid(s, from, to)
  local i, e = from + 1, to
  while i <= e do
    local b = byte(s, i)
    if b == 0 then return false, i - 1 - from end
    if b < 0x80 then i = i + 1
    else
      local n = skip_utf8(s, i, e)
      if not n then return false, i - 1 - from end
      i = n
    end
  end
  return true
end

local JSON_MAX_DEPTH = 256

-- The JSON check's state: the text, where it is, where it ends, the first problem. (Module
-- state rather than closures: one check runs per message, and closures cost an allocation
-- each.)
local js, ji, je, jproblem

local function jfail(why)
  if not jproblem then jproblem = why end
  return false
end

local function jws()
  local b = byte(js, ji)
  if b == 32 or b == 10 or b == 13 or b == 9 then
    local _, last = find(js, "^[ \t\n\r]*", ji)
    ji = last < je and last + 1 or je + 1 -- (s goes on past the payload)
  end
end

local function jdigit()
  local b = byte(js, ji)
  return ji <= je and b and b >= 48 and b <= 57
end

-- The end of an integer (no fraction or exponent: those are read byte by byte) at i, or nil.
local function integer_end(i)
  local _, e = find(js, "^-?[1-9]%d*", i)
  if not e then _, e = find(js, "^-?0", i) end
  return e
end

local function jnumber()
  -- Most numbers are integers: found whole by string.find (in C). Anything else, or a number
  -- that runs to the payload's end, byte by byte below.
  local e = integer_end(ji)
  if e and e < je then
    local b = byte(js, e + 1)
    if b ~= 46 and b ~= 101 and b ~= 69 and (b < 48 or b > 57) then
      ji = e + 1
      return true
    end
  end
  if ji <= je and byte(js, ji) == 45 then ji = ji + 1 end
  if not jdigit() then return jfail("invalid number") end
  if byte(js, ji) == 48 then ji = ji + 1 else while jdigit() do ji = ji + 1 end end
  if ji <= je and byte(js, ji) == 46 then
    ji = ji + 1
    if not jdigit() then return jfail("invalid number") end
    while jdigit() do ji = ji + 1 end
  end
  if ji <= je and (byte(js, ji) == 101 or byte(js, ji) == 69) then
    ji = ji + 1
    if ji <= je and (byte(js, ji) == 43 or byte(js, ji) == 45) then ji = ji + 1 end
    if not jdigit() then return jfail("invalid number") end
    while jdigit() do ji = ji + 1 end
  end
  return true
end

local function jliteral(word)
  local last = ji + #word - 1
  if last <= je and sub(js, ji, last) == word then
    ji = last + 1
    return true
  end
  for k = 1, #word do
    if ji > je or byte(js, ji) ~= byte(word, k) then return jfail("invalid literal") end
    ji = ji + 1
  end
  return true
end

-- What ends a run of plain characters in a string: a quote, a backslash, a control character
-- (DEL too, which is plain) or a byte of a multi-byte sequence; found by string.find, in C.
local STRING_STOP = '[%c"\\\128-\255]'

-- A string without escapes, control characters or DEL is found whole by string.find, and its
-- multi-byte sequences (if any) checked one by one. Anything else (or a string that runs past
-- the payload) is read byte by byte below, which also says where and why it is wrong.
local ASCII_STRING = '^"[^"\\%c\128-\255]*"'
local SIMPLE_STRING = '^"[^"\\%c]*"'
local ASCII_RUN = '^[^"\\%c\128-\255]*'

-- The end of such a string starting at i (its closing quote), or nil.
local function simple_string_end(i)
  local _, e = find(js, ASCII_STRING, i)
  if e then return e <= je and e or nil end
  _, e = find(js, SIMPLE_STRING, i)
  if not e or e > je then return nil end
  local _, last = find(js, ASCII_RUN, i + 1)
  local at = last + 1 -- a byte >= 0x80, or the closing quote at e
  while at < e do
    at = skip_utf8(js, at, e - 1)
    if not at then return nil end
    _, last = find(js, ASCII_RUN, at)
    at = last + 1
  end
  return e
end

local function jstring()
  local e = simple_string_end(ji)
  if e then ji = e + 1 return true end
  ji = ji + 1
  while true do
    local at = find(js, STRING_STOP, ji)
    if not at or at > je then break end
    ji = at
    local b = byte(js, ji)
    if b == 34 then ji = ji + 1 return true end
    if b == 127 then
      ji = ji + 1
    elseif b < 0x20 then
      return jfail("control character in string")
    elseif b >= 0x80 then
      local n = skip_utf8(js, ji, je)
      if not n then return jfail("invalid UTF-8") end
      ji = n
    else -- a backslash
      ji = ji + 1
      if ji > je then break end
      local c = byte(js, ji)
      if c == 117 then
        for k = 1, 4 do
          if ji + k > je or not find(sub(js, ji + k, ji + k), "^%x$") then
            return jfail("invalid \\u escape")
          end
        end
        ji = ji + 5
      elseif find('"\\/bfnrt', string.char(c), 1, true) then ji = ji + 1
      else return jfail("invalid escape") end
    end
  end
  ji = je + 1
  return jfail("unterminated string")
end

local jvalue

-- Most payloads are a flat object of plain members ({"id": 17, "op": "ping"}): read here with a
-- few string.find calls per member. The index after it, or nil for anything else (nested,
-- escaped, a float, a mistake), which the exact reader below reads from the start.
local WS = "[ \t\n\r]*"
local PLAIN_KEY = "^" .. WS .. '"[^"\\%c\128-\255]*"' .. WS .. ":" .. WS
local MEMBER_END = "^" .. WS .. "([,}])"

local function flat_object_end(i)
  i = i + 1
  while true do
    local _, k = find(js, PLAIN_KEY, i)
    if not k or k >= je then return nil end
    i = k + 1
    local b, v = byte(js, i), nil
    if b == 34 then
      v = simple_string_end(i)
    elseif b == 45 or (b >= 48 and b <= 57) then
      v = integer_end(i)
    elseif b == 116 or b == 102 or b == 110 then
      local word = b == 116 and "true" or b == 102 and "false" or "null"
      if sub(js, i, i + #word - 1) == word then v = i + #word - 1 end
    end
    if not v or v >= je then return nil end
    local _, e, sep = find(js, MEMBER_END, v + 1)
    if not e or e > je then return nil end
    if sep == "}" then return e + 1 end
    i = e + 1
  end
end

local function jcontainer(depth, close, members)
  if depth >= JSON_MAX_DEPTH then return jfail("nested too deeply") end
  if members then
    local e = flat_object_end(ji)
    if e then ji = e return true end
  end
  ji = ji + 1
  jws()
  if ji <= je and byte(js, ji) == close then ji = ji + 1 return true end
  while true do
    if members then
      jws()
      if ji > je or byte(js, ji) ~= 34 then return jfail("expected a member name") end
      if not jstring() then return false end
      jws()
      if ji > je or byte(js, ji) ~= 58 then return jfail("expected ':'") end
      ji = ji + 1
    end
    if not jvalue(depth + 1) then return false end
    jws()
    if ji <= je and byte(js, ji) == 44 then ji = ji + 1
    elseif ji <= je and byte(js, ji) == close then ji = ji + 1 return true
    else return jfail(members and "expected ',' or '}'" or "expected ',' or ']'") end
  end
end

jvalue = function(depth)
  jws()
  if ji > je then return jfail("expected a value") end
  local b = byte(js, ji)
  if b == 123 then return jcontainer(depth, 125, true)
  elseif b == 91 then return jcontainer(depth, 93, false)
  elseif b == 34 then return jstring()
  elseif b == 116 then return jliteral("true")
  elseif b == 102 then return jliteral("false")
  elseif b == 110 then return jliteral("null")
  elseif b == 45 or (b >= 48 and b <= 57) then return jnumber()
  end
  return jfail("expected a value")
end

-- Exactly one JSON value in s[from, to) (RFC 8259), as core/appmsg_json.c says: true, or false
-- with the offset (from from) and the problem.
local function json_valid(s, from, to)
  js, ji, je, jproblem = s, from + 1, to, nil
  local ok = jvalue(0)
  if ok then
    jws()
    if ji <= je then ok = jfail("more after the JSON value") end
  end
  if ok then return true end
  return false, ji - 1 - from, jproblem
end

-- A payload's problem: nil for one JSON value, else "NOT_UTF8" or "NOT_JSON", where, and why.
local function payload_check(s, from, to)
  local ok, at, why = json_valid(s, from, to)
  if ok then return nil end
  local text, bad = utf8_valid(s, from, to)
  if not text then return "NOT_UTF8", bad end
  return "NOT_JSON", at, why
end

-- ---- Framing (core/appmsg_frame.c, appmsg_mistakes.c, appmsg_reader.c) ------------------------

local MESSAGE, NEED_MORE, BAD_MAGIC, TOO_LONG = 1, 2, 3, 4

-- Fills f (a scratch table, reused: a table per message costs the collector's time).
local function frame_next(s, len, off, checked, max_length, f)
  local avail = len - off
  f.kind, f.header_len = MESSAGE, checked and CHECKED_HDR_LEN or HDR_LEN
  f.mistakes, f.need, f.len = 0, 0, 0
  f.type, f.length, f.checksum, f.declared, f.have_header = 0, 0, 0, 0, false
  local magic = magic_kind_at(s, len, off)
  if magic == 2 then
    f.mistakes = LE_HEADER
  elseif magic ~= 1 then
    f.kind = BAD_MAGIC
    f.len = 1 + find_magic(s, len, off + 1) - (off + 1)
    return f
  end
  if avail < f.header_len then
    f.kind, f.need = NEED_MORE, f.header_len
    return f
  end
  f.have_header = true
  local get = f.mistakes ~= 0 and u32_le or u32
  f.type, f.length = get(s, off + 4), get(s, off + 8)
  if checked then f.checksum = get(s, off + 12) end
  if f.mistakes == 0 and f.length > max_length and swap32(f.length) <= max_length then
    f.mistakes = LE_LENGTH
    f.type, f.length, f.checksum = swap32(f.type), swap32(f.length), swap32(f.checksum)
  end
  f.declared = f.length
  if f.length > max_length then
    f.kind, f.len = TOO_LONG, f.header_len
    return f
  end
  if avail - f.header_len < f.length then
    f.kind, f.need = NEED_MORE, f.header_len + f.length
    return f
  end
  f.kind, f.len = MESSAGE, f.header_len + f.length
  return f
end

-- (magic_kind_at is find_magic's answer at off, without a search.)
local function magic_at(s, len, off)
  return len - off >= 4 and magic_kind_at(s, len, off) ~= nil
end

local function message_ends_at(s, len, off, at)
  return at == len - off or (at < len - off and magic_kind_at(s, len, off + at) ~= nil)
end

local function reframe(f, mistake, payload_len)
  f.kind = MESSAGE
  f.mistakes = f.mistakes + mistake
  f.length = payload_len
  f.len = f.header_len + payload_len
  f.need = 0
end

local function complete_json_container(s, from, to)
  local last = to
  while last > from and find(sub(s, last, last), "^[ \n\r\t]$") do last = last - 1 end
  if last <= from then return false end
  local b = byte(s, last)
  return (b == 125 or b == 93 or b == 34) and json_valid(s, from, to)
end

local function length_with_header(s, len, off, f)
  local hdr, e, avail = f.header_len, f.length, len - off
  if f.length < hdr then return false end
  if avail >= e + 4 and magic_at(s, len, off + e) then
    reframe(f, LENGTH_WITH_HEADER, e - hdr)
    return true
  end
  if f.kind == NEED_MORE and avail == e and complete_json_container(s, off + hdr, off + e) then
    reframe(f, LENGTH_WITH_HEADER, e - hdr)
    return true
  end
  return false
end

local function length_in_chars(s, len, off, f)
  local avail = len - off
  if f.kind ~= MESSAGE or f.length == 0 or message_ends_at(s, len, off, f.len) then return end
  local payload = off + f.header_len
  local bytes = utf8_bytes_of_chars(s, payload, avail - f.header_len, f.length)
  if bytes <= f.length or not message_ends_at(s, len, off, f.header_len + bytes) then return end
  if not json_valid(s, payload, payload + f.length) and json_valid(s, payload, payload + bytes) then
    reframe(f, LENGTH_IN_CHARS, bytes)
  end
end

local function frame_read(s, len, off, checked, max_length, f)
  frame_next(s, len, off, checked, max_length, f)
  if f.have_header and f.kind ~= TOO_LONG then
    if not length_with_header(s, len, off, f) then length_in_chars(s, len, off, f) end
  end
  return f
end

-- What the reader's answers point to (frame_next fills them): the message read, the one
-- after it.
local THIS_FRAME, NEXT_FRAME = {}, {}

local READ_MESSAGE, READ_SKIPPED, READ_TOO_LONG, READ_WAIT, READ_TRUNCATED = 1, 2, 3, 4, 5

local function read_next(s, len, off, reassembled, can_wait, checked, max_length)
  local f = frame_read(s, len, off, checked, max_length, THIS_FRAME)
  if off == 0 and reassembled and f.kind == MESSAGE and has(f.mistakes, LENGTH_WITH_HEADER)
      and f.len < len then
    local nxt = frame_read(s, len, f.len, checked, max_length, NEXT_FRAME)
    if nxt.kind == NEED_MORE then
      f.kind = NEED_MORE
      f.need = nxt.need ~= 0 and f.len + nxt.need or 0
    end
  end
  local kind = f.kind
  if kind == MESSAGE then return READ_MESSAGE, f.len, f
  elseif kind == BAD_MAGIC then return READ_SKIPPED, f.len, f
  elseif kind == TOO_LONG then return READ_TOO_LONG, f.len, f
  elseif not can_wait then return READ_TRUNCATED, len - off, f
  end
  local more = (f.have_header and f.need ~= 0) and (f.need - (len - off)) or 0
  return READ_WAIT, len - off, f, more
end

local function looks_like_json_text(s, from, len, to_end)
  if (len < 2 and not to_end) then return false end
  local b = byte(s, from + 1)
  if b ~= 123 and b ~= 91 then return false end
  for i = from + 2, from + (len < 64 and len or 64) do
    local c = byte(s, i)
    if c < 0x20 and c ~= 9 and c ~= 10 and c ~= 13 then return false end
  end
  return true
end

-- ---- A connection's rules (core/appmsg_conn.c), first pass only ------------------------------

local SEARCH_NONE, SEARCH_NO_MAGIC, SEARCH_OVERSIZE = 0, 1, 2
local SKIP_RESYNC, SKIP_CONTINUED, SKIP_OVERSIZE, SKIP_NO_HEADER, SKIP_CHARS_REST = 0, 1, 2, 3, 4

-- The first pass's answers, kept for later passes, are few: a large Lua heap slows everything
-- the edition does (the collector lets garbage grow with it, and the allocator works through
-- more memory), so nothing is kept per message, and per frame only in a connection's arrays
-- (new_conn). Besides those:
--   odd: the rare rest, by item (ITEMS * frame number + the item's index in its frame): how
--     an echo differs, a skipped run's kind;
--   reassembled_calls: by frame number, bit n - 1 set when TCP's nth call in the frame began
--     with the message that waited (a reassembly).
local odd, reassembled_calls
local ITEMS = 65536 -- more items than a frame can hold (12 bytes each at least)

local function new_conn()
  -- count: messages so far; per frame with messages, in order (the nth message pairs with
  -- the nth the other way): run_firsts, its first message's ordinal; run_frames, its number;
  -- run_times, its time. cursor: the last run looked up (later passes go frame by frame).
  local function dir()
    return {searching = SEARCH_NONE, queue = {first = 1, last = 0}, count = 0, run_firsts = {},
            run_frames = {}, run_times = {}, cursor = 1}
  end
  return {[C2S] = dir(), [S2C] = dir()}
end

local function conn_framed(d, too_long)
  d.searching = too_long and SEARCH_OVERSIZE or SEARCH_NONE
  d.chars_short = nil
end

local function conn_skipped(d, run)
  local kind, rest
  if d.searching == SEARCH_OVERSIZE then
    kind = SKIP_OVERSIZE
  else
    local cs = d.chars_short
    local chars = cs and cs.chars + run.chars
    if cs and run.at_start and chars <= cs.declared and (chars == cs.declared or run.to_end) then
      cs.chars = chars
      cs.payload_len = cs.payload_len + run.len
      kind = SKIP_CHARS_REST
      rest = {frame = cs.frame, declared = cs.declared, bytes = cs.payload_len,
              complete = chars == cs.declared}
    elseif d.searching == SEARCH_NO_MAGIC and run.at_start then
      kind = SKIP_CONTINUED
    else
      kind = run.json_text and SKIP_NO_HEADER or SKIP_RESYNC
    end
    d.searching = run.to_end and SEARCH_NO_MAGIC or SEARCH_NONE
  end
  if kind ~= SKIP_CHARS_REST or rest.complete then d.chars_short = nil end
  return kind, rest
end

-- The Nth message one way pairs with the Nth the other way; the first to come waits (with its
-- payload, until its peer comes). The echo learns how it differs from its request. valid:
-- whether the payload is one JSON value (a waiting message keeps it for its peer: see
-- conn_peer_checked).
local function conn_pair(conn, dir, id, type, length, payload, valid)
  local q = conn[1 - dir].queue
  local w = q[q.first]
  if not w then
    local mine = conn[dir].queue
    mine.last = mine.last + 1
    mine[mine.last] = {id = id, type = type, length = length, payload = payload, valid = valid}
    return
  end
  q[q.first] = nil
  q.first = q.first + 1
  local echo, r_type, r_length, r_payload, e_type, e_length, e_payload
  if dir == S2C then
    echo, e_type, e_length, e_payload = id, type, length, payload
    r_type, r_length, r_payload = w.type, w.length, w.payload
  else
    echo, e_type, e_length, e_payload = w.id, w.type, w.length, w.payload
    r_type, r_length, r_payload = type, length, payload
  end
  if r_type ~= e_type or r_length ~= e_length or r_payload ~= e_payload then
    odd[echo] = {type = r_type ~= e_type and r_type, length = r_length ~= e_length and r_length,
                 payload = r_payload ~= e_payload}
  end
end

-- Whether the message that this one (going dir) pairs with has the same payload, already found
-- to be valid JSON: an echo that repeats its request needs no second check.
local function conn_peer_checked(conn, dir, payload)
  local q = conn[1 - dir].queue
  local w = q[q.first]
  return w and w.valid and w.payload == payload
end

-- Counts a message going d, the nth of frame number's (from 0), at time; its ordinal in d.
local function conn_count(d, number, nth, time)
  local n = d.count + 1
  d.count = n
  if nth == 0 then
    local k = #d.run_firsts + 1
    d.run_firsts[k], d.run_frames[k], d.run_times[k] = n, number, time
  end
  return n
end

-- The last index in the sorted array a whose value is at most v (a[1] <= v), trying d's
-- cursor and the index after it first.
local function run_at(d, a, v)
  local i = d.cursor
  if a[i] and a[i] <= v and (not a[i + 1] or a[i + 1] > v) then return i end
  i = i + 1
  if a[i] and a[i] <= v and (not a[i + 1] or a[i + 1] > v) then d.cursor = i return i end
  local lo, hi = 1, #a
  while lo < hi do
    local mid = floor((lo + hi + 1) / 2)
    if a[mid] <= v then lo = mid else hi = mid - 1 end
  end
  d.cursor = lo
  return lo
end

-- On a later pass: the ordinal of frame number's nth message going d.
local function conn_ordinal(d, number, nth)
  local frames = d.run_frames
  if not frames[1] or frames[1] > number then return nil end
  local i = run_at(d, frames, number)
  if frames[i] ~= number then return nil end
  return d.run_firsts[i] + nth
end

-- The frame and time of the nth message going d, if there is one yet.
local function conn_frame_of(d, n)
  if n > d.count then return nil end
  local i = run_at(d, d.run_firsts, n)
  return d.run_frames[i], d.run_times[i]
end

-- ---- Showing (plugin/appmsg-show.c) ------------------------------------------------------------

local FIX_LENGTH_IN_CHARS =
  "Take the length of the encoded bytes (len(text.encode())), not of the text"

-- The type's item text for a type the table does not name: its number alone, as the C plugin
-- shows it (BASE_SPECIAL_VALS, which Lua fields do not take), not "Unknown (5)".
local type_labels = {}
local function type_label(t)
  if type_names[t] then return nil end
  local label = type_labels[t]
  if not label then
    label = format("Type: %u", t)
    type_labels[t] = label
  end
  return label
end

local type_forms = {} -- made once per type
local function type_form(t)
  local form = type_forms[t]
  if not form then
    local name = type_names[t]
    form = name and format("%s (%u)", name, t) or format("%u", t)
    type_forms[t] = form
  end
  return form
end

-- The items of this frame so far (c.count, kept in pinfo.private between TCP's calls for one
-- frame): an item's index in its frame keys what odd keeps for it.
local function next_message_in_frame(c)
  local n = c.count
  c.count = n + 1
  return n
end

-- Each message's Info text, after the one before it in the frame (written at the call's end).
-- c.info is nil when there are no columns to write (tshark -T fields without a column, a
-- filter's pass): their texts are not made, as Wireshark's col_ functions skip theirs in C.
local function add_info(c, text)
  local info = c.info
  if info then info[#info + 1] = text end
end

-- The Info column's state, once per call: a column Wireshark does not keep prints as its name
-- in parentheses.
local function info_texts(pinfo)
  local text = tostring(pinfo.cols.info)
  if text == "(info)" or text == "(nil)" then return nil end
  return {}
end

-- The columns, once per call: the frame's first message replaces TCP's Info text, the others
-- follow it.
local function end_of_call(c, first_in_frame)
  local pinfo = c.pinfo
  if c.count ~= first_in_frame then
    pinfo.private.appmsg_count = tostring(c.count)
    pinfo.private.appmsg_msgs = tostring(c.msgs)
    if not c.info then return end
    local cols = pinfo.cols
    local text = table.concat(c.info, ", ")
    if first_in_frame == 0 then
      cols.protocol = "AppMsg"
      cols.info:set(text)
    else
      cols.info:append(", " .. text)
    end
  end
end

local function labels(errors)
  if errors == 0 then return "" end
  local t = {}
  for i, p in ipairs(PROBLEMS) do
    if has(errors, 2 ^ (i - 1)) then t[#t + 1] = " [" .. p[2] .. "]" end
  end
  return table.concat(t)
end

-- Wireshark fakes an item no one will see (the tree not shown, the field in no filter, column
-- or -e): it hands back the parent instead. A C dissector pays almost nothing for that; a Lua
-- one still pays a call into Wireshark for each. So a call learns, from the first item it adds
-- of a field, whether Wireshark faked it (the item handed back is not as long as asked for),
-- and then adds that field no more: the parent stands for it, as in C. c.real: field -> bool.
local function add_item(c, parent, field, off, len, value, label)
  local real = c.real[field]
  if real == false then return parent end
  local item
  if value == nil then
    item = parent:add(field, c.tvb(off, len))
  elseif label then
    item = parent:add(field, c.tvb(off, len), value, label)
  else
    item = parent:add(field, c.tvb(off, len), value)
  end
  if real == nil then c.real[field] = item.len == len end
  return item
end

-- A generated field (no bytes of its own); its parent is never empty.
local function add_generated(c, parent, field, value)
  local real = c.real[field]
  if real == false then return end
  local item = parent:add(field, value)
  if real == nil then
    real = item.len == 0
    c.real[field] = real
  end
  if real then item:set_generated() end
end

-- A message's item, its text given (a text set later costs another call into Wireshark).
local function message_item(c, range, text)
  -- (No nil text: Wireshark 4.6 refuses an explicit nil argument.)
  local ti = text and c.tree:add(appmsg, range, text) or c.tree:add(appmsg, range)
  add_generated(c, ti, F.from_client, c.dir == C2S)
  return ti
end

-- Magic, type and length from the values read; the sender's mistakes named on them.
local function header_fields(c, ti, off, f)
  local errors = 0
  local magic = add_item(c, ti, F.magic, off, 4)
  local type_item = add_item(c, ti, F.type, off + 4, 4, f.type, type_label(f.type))
  local length_item = add_item(c, ti, F.length, off + 8, 4, f.declared)
  if f.mistakes == 0 then return 0, type_item, length_item end
  if has(f.mistakes, LE_HEADER) then
    magic:add_proto_expert_info(E.LE_HEADER, format(
      "Header written little-endian (magic reads 0x%08x): type %u and length %u read " ..
      "byte-swapped. The protocol is big-endian: struct.pack('!III', ...) in Python, htonl() in C",
      MAGIC_LE, f.type, f.declared))
    errors = errors + ERR.LE_HEADER
  end
  if has(f.mistakes, LE_LENGTH) then
    length_item:add_proto_expert_info(E.LE_HEADER, format(
      "Length and type written little-endian (host order): the length reads 0x%08x big-endian, " ..
      "%u byte-swapped. Convert every field with htonl(), not just the magic",
      swap32(f.declared), f.declared))
    errors = errors + ERR.LE_HEADER
  end
  if has(f.mistakes, LENGTH_WITH_HEADER) then
    length_item:add_proto_expert_info(E.LENGTH_WITH_HEADER, format(
      "Length %u counts the %u-byte header: the next magic starts %u bytes early, and the " ..
      "payload is %u bytes. The length field is the payload's size alone",
      f.declared, f.header_len, f.header_len, f.length))
    errors = errors + ERR.LENGTH_WITH_HEADER
  end
  if has(f.mistakes, LENGTH_IN_CHARS) then
    length_item:add_proto_expert_info(E.LENGTH_IN_CHARS, format(
      "Length %u counts characters; the payload is %u bytes of UTF-8. " .. FIX_LENGTH_IN_CHARS,
      f.declared, f.length))
    errors = errors + ERR.LENGTH_IN_CHARS
  end
  return errors, type_item, length_item
end

-- A valid payload handed to Wireshark's JSON dissector (the json_dissector preference), under
-- the message's item. The columns describe messages: JSON's "JavaScript Object Notation" is
-- kept out, as the C plugin keeps them unwritable while JSON runs.
local json_dissector
local function add_json_dissector(c, ti, from, length)
  json_dissector = json_dissector or Dissector.get("json")
  local cols = c.pinfo.cols
  local protocol, info = tostring(cols.protocol), tostring(cols.info)
  json_dissector:call(c.tvb(from, length):tvb(), c.pinfo, ti)
  if c.info then
    cols.protocol = protocol
    cols.info:set(info)
  end
end

-- ---- Payload members (plugin/appmsg-json-tree.c) ------------------------------------------------
-- A valid JSON object or array payload lists its members under it, one item each: the field
-- "key:value" (strings unescaped, as wsutil's json_decode_string_inplace does; kept as written
-- where it refuses), the text "key: <the value as written>", objects and arrays nested. The
-- payload was checked already, so the walk below trusts its grammar.

local LABEL_ROOM = 239 -- ITEM_LABEL_LENGTH - 1: the longest text an item shows
local OBJECT_SHAPE, ARRAY_SHAPE = "{\226\128\166}", "[\226\128\166]" -- {…} and […]

-- How much of text fits in room bytes without cutting a UTF-8 sequence (plugin's fit_utf8).
local function fit_utf8(text, room)
  if #text <= room then return text end
  while room > 0 do
    local b = byte(text, room + 1)
    if b < 0x80 or b >= 0xC0 then break end
    room = room - 1
  end
  return sub(text, 1, room)
end

-- "name: value" cut to fit an item's text (plugin's join_label).
local function join_label(name, value)
  if #name + #value + 2 <= LABEL_ROOM then return name .. ": " .. value end
  name = fit_utf8(name, LABEL_ROOM)
  if #name + 2 > LABEL_ROOM then return name end
  return name .. ": " .. fit_utf8(value, LABEL_ROOM - #name - 2)
end

local function utf8_char(cp)
  if cp < 0x80 then return string.char(cp) end
  if cp < 0x800 then return string.char(0xC0 + floor(cp / 64), 0x80 + cp % 64) end
  if cp < 0x10000 then
    return string.char(0xE0 + floor(cp / 4096), 0x80 + floor(cp / 64) % 64, 0x80 + cp % 64)
  end
  return string.char(0xF0 + floor(cp / 262144), 0x80 + floor(cp / 4096) % 64,
                     0x80 + floor(cp / 64) % 64, 0x80 + cp % 64)
end

local UNESCAPED = {['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f", n = "\n",
                   r = "\r", t = "\t"}

-- The text of the string s[i, e] without its quotes, unescaped; as written if it holds an escape
-- wsutil refuses to decode (\u0000, a lone surrogate).
local function unescaped(s, i, e)
  local raw = sub(s, i + 1, e - 1)
  if not find(raw, "\\", 1, true) then return raw end
  local out, at = {}, 1
  while true do
    local bs = find(raw, "\\", at, true)
    if not bs then break end
    out[#out + 1] = sub(raw, at, bs - 1)
    local c = sub(raw, bs + 1, bs + 1)
    if c ~= "u" then
      out[#out + 1] = UNESCAPED[c]
      at = bs + 2
    else
      local cp = tonumber(sub(raw, bs + 2, bs + 5), 16)
      at = bs + 6
      if cp >= 0xD800 and cp <= 0xDBFF then
        local trail = sub(raw, at, at + 1) == "\\u" and tonumber(sub(raw, at + 2, at + 5), 16)
        if not trail or trail < 0xDC00 or trail > 0xDFFF then return raw end
        cp = 0x10000 + (cp - 0xD800) * 1024 + (trail - 0xDC00)
        at = at + 6
      elseif cp == 0 or (cp >= 0xDC00 and cp <= 0xDFFF) then
        return raw
      end
      out[#out + 1] = utf8_char(cp)
    end
  end
  out[#out + 1] = sub(raw, at)
  return table.concat(out)
end

-- The walk's state: the text, tokens seen (jsmn's count: every value and every key), and the
-- end of each nested object or array walked so far (by where it starts), for its item's length.
local ms, mtokens, mends

local function skip_ws(i)
  local b = byte(ms, i)
  if b ~= 32 and b ~= 10 and b ~= 13 and b ~= 9 then return i end
  local _, last = find(ms, "^[ \t\n\r]*", i)
  return last + 1
end

-- The string at i: its text unescaped, its text as written (no quotes), the index after it. Most
-- have no escape: found whole by one string.match.
local function string_at(i)
  local text, after = match(ms, '^"([^"\\]*)"()', i)
  if text then return text, text, after end
  local e = i + 1
  while true do
    e = find(ms, '["\\]', e)
    if byte(ms, e) == 34 then break end
    e = e + 2
  end
  return unescaped(ms, i, e), sub(ms, i + 1, e - 1), e + 1
end

-- The scalar at i: its field text (a string unescaped, a number or literal as written), its
-- text as written, the index after it.
local function scalar_at(i)
  if byte(ms, i) == 34 then
    local text, raw, after = string_at(i)
    return text, '"' .. raw .. '"', after
  end
  local text, after = match(ms, "^([%w%.%+%-]+)()", i)
  return text, text, after
end

local walk_value

-- Most members are a key and a string, number or literal, none with an escape: read whole by one
-- string.match each (the payload's grammar was checked, so its only white space is JSON's).
-- Captured: where the member starts, the key, the value's text, where it ends, what follows.
local STRING_MEMBER = '^()"([^"\\]*)"%s*:%s*"([^"\\]*)"()%s*()'
local OTHER_MEMBER = '^()"([^"\\]*)"%s*:%s*([%w%.%+%-]+)()%s*()'

-- Such a member at i, under parent: the index after it (and its white space), or nil for
-- another kind.
local function plain_member(c, parent, i)
  local from, key, text, e, after = match(ms, STRING_MEMBER, i)
  local label
  if from then
    label = #key + #text + 4 <= LABEL_ROOM and key .. ': "' .. text .. '"'
            or join_label(key, '"' .. text .. '"')
  else
    from, key, text, e, after = match(ms, OTHER_MEMBER, i)
    if not from then return nil end
    label = join_label(key, text)
  end
  mtokens = mtokens + 2
  add_item(c, parent, F.json_member, from - 1, e - from, key .. ":" .. text, label)
  return after
end

-- The members or elements of the object or array at i, under parent (nil: count tokens and note
-- where nested ones end); returns the index after its closing bracket.
local function walk_children(c, parent, i)
  local start, object = i, byte(ms, i) == 123
  i = skip_ws(i + 1)
  local index = 0
  while byte(ms, i) ~= 125 and byte(ms, i) ~= 93 do
    local after = object and parent and plain_member(c, parent, i)
    if not after then
      local key, key_raw, at = nil, nil, i
      if object then
        mtokens = mtokens + 1
        key, key_raw, at = string_at(i)
        at = skip_ws(skip_ws(at) + 1) -- past the ':'
      end
      after = skip_ws(walk_value(c, parent, at, i, key, key_raw, index))
    end
    i = after
    if byte(ms, i) == 44 then i = skip_ws(i + 1) end
    index = index + 1
  end
  if not parent then
    mends = mends or {}
    mends[start] = i + 1
  end
  return i + 1
end

-- The value at i of a member (from its key's quote at from; key unescaped, key_raw as written)
-- or of the index-th element (from == i, key nil), under parent (nil: count only); returns the
-- index after it.
walk_value = function(c, parent, i, from, key, key_raw, index)
  mtokens = mtokens + 1
  local b = byte(ms, i)
  if b == 123 or b == 91 then
    if not parent then return walk_children(c, nil, i) end
    if not (mends and mends[i]) then walk_children(c, nil, i) end
    local shape, len = b == 123 and OBJECT_SHAPE or ARRAY_SHAPE, mends[i] - from
    local item
    if key then
      item = add_item(c, parent, F.json_member, from - 1, len, key, key_raw .. ": " .. shape)
    else
      -- No field: an element's value is its members.
      item = parent:add(c.tvb(from - 1, len), format("[%d]: %s", index, shape))
    end
    return walk_children(c, item, i)
  end
  local text, raw, after = scalar_at(i)
  if not parent then return after end
  if key then
    add_item(c, parent, F.json_member, from - 1, after - from, key .. ":" .. text,
             join_label(key_raw, raw))
  else
    add_item(c, parent, F.json_element, from - 1, after - from, text,
             join_label(format("[%d]", index), raw))
  end
  return after
end

-- The members of the valid payload s[from, to) (the string payload) under payload_item, or a
-- note when it has more tokens than a tree is built for (a payload holds no more tokens than
-- bytes). Not walked at all when Wireshark fakes what it would add (add_item learned so): no
-- tree shown and neither field in a filter, as the C plugin skips it (appmsg_json_tree_wanted).
local function add_members(c, payload_item, s, from, to, payload)
  if c.real[F.json_member] == false and
     (c.real[F.json_element] == false or not find(payload, "[", 1, true)) then
    return
  end
  ms, mtokens, mends = s, 0, false
  local i = skip_ws(from + 1)
  local b = byte(s, i)
  if b ~= 123 and b ~= 91 then return end -- a bare value: the payload line shows it
  if to - from > JSON_TREE_MAX_TOKENS then
    walk_value(c, nil, i)
    if mtokens > JSON_TREE_MAX_TOKENS then
      payload_item:add(c.tvb(from, to - from),
                       format(JSON_TREE_TOO_MANY, mtokens, JSON_TREE_MAX_TOKENS))
      return
    end
  end
  walk_children(c, payload_item, i)
end

local function show_message(c, off, f)
  local s = c.s
  local key = next_message_in_frame(c)
  local length = f.length
  local from, to = off + f.header_len, off + f.header_len + length
  local payload = sub(s, from + 1, to)
  local id = c.number * ITEMS + key
  local problem, at, why
  if c.visited or not conn_peer_checked(c.stream.conn, c.dir, payload) then
    problem, at, why = payload_check(s, from, to)
  end
  local nth, n = c.msgs, nil -- the frame's nth message, its ordinal
  c.msgs = nth + 1
  if not c.visited then
    n = conn_count(c.d, c.number, nth, c.time)
    conn_pair(c.stream.conn, c.dir, id, f.type, length, payload, not problem)
  else
    n = conn_ordinal(c.d, c.number, nth)
  end
  local peer, peer_time
  if n then peer, peer_time = conn_frame_of(c.stream.conn[1 - c.dir], n) end
  local tf = type_form(f.type)
  local text = format("AppMsg, Type: %s, Length: %u", tf, length)
  if peer then
    text = text .. format(c.dir == C2S and ", echoed in frame %u" or ", echo of frame %u", peer)
  end
  local ti = message_item(c, c.tvb(off, f.len), text)
  local errors, type_item, length_item = header_fields(c, ti, off, f)
  if c.checked then
    local crc = crc32(s, from, to)
    local checksum = add_item(c, ti, F.checksum, off + 12, 4, f.checksum)
    local shown = c.real[F.checksum]
    if f.checksum == crc then
      if shown then checksum:append_text(" [correct]") end
      add_generated(c, ti, F.checksum_status, 1)
    else
      if shown then checksum:append_text(format(" [incorrect, should be 0x%08x]", crc)) end
      add_generated(c, ti, F.checksum_status, 0)
      checksum:add_proto_expert_info(E.BAD_CHECKSUM, format(
        "Checksum mismatch: header says 0x%08x, CRC-32 of the payload is 0x%08x", f.checksum, crc))
      errors = errors + ERR.BAD_CHECKSUM
    end
  end
  local payload_item
  if problem == "NOT_UTF8" then -- as Wireshark shows such bytes (each bad one as U+FFFD)
    payload_item = ti:add_packet_field(F.payload, c.tvb(from, length), ENC_UTF_8)
  else
    payload_item = add_item(c, ti, F.payload, from, length, payload)
  end
  if problem == "NOT_UTF8" then
    payload_item:add_proto_expert_info(E.NOT_UTF8,
      format("Payload is not valid UTF-8 (from byte %u)", at))
    errors = errors + ERR.NOT_UTF8
  elseif problem == "NOT_JSON" then
    payload_item:add_proto_expert_info(E.NOT_JSON,
      format("Payload is not JSON: %s at byte %u", why, at))
    errors = errors + ERR.NOT_JSON
  end
  if peer then
    if c.dir == C2S then
      add_generated(c, ti, F.response_in, peer)
    else
      add_generated(c, ti, F.response_to, peer)
      if c.real[F.time] ~= false then add_generated(c, ti, F.time, nstime(c.time - peer_time)) end
      local diff = odd[id]
      if diff then
        local what, at_item = {}, nil
        if diff.type then
          what[#what + 1] = format("type %u, not %u", f.type, diff.type)
          at_item = type_item
        end
        if diff.length then
          what[#what + 1] = format("length %u, not %u", length, diff.length)
          at_item = at_item or length_item
        end
        if diff.payload then
          what[#what + 1] = "payload bytes differ"
          at_item = at_item or payload_item
        end
        at_item:add_proto_expert_info(E.ECHO_DIFFERS, format(
          "Echo differs from its request in frame %u: %s", peer, table.concat(what, "; ")))
        errors = errors + ERR.ECHO_DIFFERS
      end
    end
  end
  if not c.visited and problem and f.mistakes == 0 then
    local chars = utf8_chars(s, from, to)
    if chars < length then
      c.d.chars_short = {frame = c.number, declared = f.declared, payload_len = length,
                         chars = chars}
    end
  end
  if c.info then add_info(c, format("type %s: %u B", tf, length) .. labels(errors)) end
  if c.json_members and not problem then add_members(c, payload_item, s, from, to, payload) end
  if c.json_dissector and not problem and length > 0 then
    add_json_dissector(c, ti, from, length)
  end
end

local function show_skipped(c, off, len)
  local key = next_message_in_frame(c)
  local kind, rest
  if not c.visited then
    local to_end = off + len == c.len
    local run = {at_start = off == 0, to_end = to_end, len = len,
                 json_text = looks_like_json_text(c.s, off, len, to_end),
                 chars = utf8_chars(c.s, off, off + len)}
    kind, rest = conn_skipped(c.d, run)
    odd[c.number * ITEMS + key] = {skip = kind, rest = rest}
  else
    local rec = odd[c.number * ITEMS + key] or {skip = SKIP_RESYNC}
    kind, rest = rec.skip, rec.rest
  end
  local ti = message_item(c, c.tvb(off, len))
  ti:add(F.skipped, c.tvb(off, len))
  if kind == SKIP_OVERSIZE then
    ti:set_text(format("AppMsg, %u bytes skipped: payload of the oversize message", len))
    add_info(c, format("%u bytes skipped [oversize payload]", len))
  elseif kind == SKIP_NO_HEADER then
    ti:set_text(format("AppMsg, %u bytes skipped: JSON text without a header", len))
    ti:add_proto_expert_info(E.NO_HEADER, format(
      "JSON text without a header: %u bytes of JSON where a message should start. Send the " ..
      "%u-byte header (magic, type, length) before each payload",
      len, c.checked and CHECKED_HDR_LEN or HDR_LEN))
    add_info(c, format("%u bytes skipped [JSON without a header]", len))
  elseif kind == SKIP_CHARS_REST then
    ti:set_text(format("AppMsg, %u bytes skipped: the rest of the payload in frame %u", len,
                       rest.frame))
    if rest.complete then
      ti:add_proto_expert_info(E.LENGTH_IN_CHARS, format(
        "These %u bytes end the payload of the message in frame %u: its length %u counts " ..
        "characters; the payload is %u bytes of UTF-8. " .. FIX_LENGTH_IN_CHARS,
        len, rest.frame, rest.declared, rest.bytes))
    else
      ti:add_proto_expert_info(E.LENGTH_IN_CHARS, format(
        "These %u bytes go on with the payload of the message in frame %u, whose length %u " ..
        "counts characters", len, rest.frame, rest.declared))
    end
    add_info(c, format("%u bytes skipped [length counts characters]", len))
  else
    local continued = kind == SKIP_CONTINUED
    ti:set_text(format("AppMsg, %u bytes skipped: no magic 0x%08x %s", len, MAGIC,
      continued and "yet (the search goes on from the previous segment)"
                or "where a message should start"))
    ti:add_proto_expert_info(E.BAD_MAGIC, format("Bad magic: %u bytes skipped to the next magic%s",
      len, continued and " (continued)" or ""))
    add_info(c, format("%u bytes skipped [bad magic%s]", len, continued and ", continued" or ""))
  end
end

local function show_too_long(c, off, f)
  next_message_in_frame(c)
  local ti = message_item(c, c.tvb(off, f.header_len))
  local errors = ERR.TOO_LONG + header_fields(c, ti, off, f)
  ti:add(F.payload, c.tvb(off + f.header_len, 0), ""):set_text(format(
    "Payload: not read (the length is above the maximum of %u)", c.max_length))
  ti:add_proto_expert_info(E.TOO_LONG, format(
    "Length %u is above the maximum of %u: not waiting for it; skipping to the next magic",
    f.length, c.max_length))
  ti:set_text(format("AppMsg, Type: %s, Length: %u, length above the maximum", type_form(f.type),
                     f.length))
  add_info(c, format("type %s: %u B", type_form(f.type), f.length) .. labels(errors))
end

-- The part of a message the stream ends inside of, from off to the data's end.
local function show_truncated(c, off, f, why)
  next_message_in_frame(c)
  local avail = c.len - off
  local seen = f.have_header and avail - f.header_len or avail
  local of = f.have_header and f.length or f.header_len
  local ti = message_item(c, c.tvb(off, avail))
  if f.have_header then
    header_fields(c, ti, off, f)
    ti:add_packet_field(F.payload, c.tvb(off + f.header_len, seen), ENC_UTF_8)
    ti:set_text(format("AppMsg, Type: %s, Length: %u, truncated (%s): %u of %u payload bytes",
                       type_form(f.type), f.length, why, seen, of))
  else
    ti:set_text(format("AppMsg, truncated (%s): %u of %u header bytes", why, seen, of))
  end
  ti:add(F.truncated_start, c.number):set_generated()
  ti:add(F.truncated_seen, UInt64(seen)):set_generated()
  ti:add_proto_expert_info(E.TRUNCATED, format("Message truncated (%s): %u of %u %s bytes", why,
    seen, of, f.have_header and "payload" or "header"))
  add_info(c, format("%s%u of %u%s [truncated, %s]",
    f.have_header and format("type %s: ", type_form(f.type)) or "", seen, of,
    f.have_header and " B" or " header bytes", why))
end

-- ---- The dissector (plugin/appmsg-dissect.c) ---------------------------------------------------

-- tshark's first pass builds no tree, and fields are read from the tree: everything the rules
-- need comes from pinfo. A connection is its two endpoints; a time is pinfo.rel_ts (seconds
-- since the first frame: small enough for a double to hold nanoseconds; nstime() above).
local function connection_key(pinfo)
  local a = tostring(pinfo.src) .. "/" .. pinfo.src_port
  local b = tostring(pinfo.dst) .. "/" .. pinfo.dst_port
  if a < b then return a .. " " .. b end
  return b .. " " .. a
end

local streams
-- The heuristic's first-pass answers (below): by connection key, the frame it took the
-- connection from; by connection key and sender, whether it saw that direction's data before;
-- by frame number, whether it took the connection there.
local taken_from, heur_seen, heur_took

function appmsg.init()
  streams, odd, reassembled_calls = {}, {}, {}
  taken_from, heur_seen, heur_took = {}, {}, {}
end

-- The client: the side not on the AppMsg port, else the first to send (TCP's knowledge of the
-- SYN is the C plugin's alone).
local function direction(st, pinfo)
  if not st.client then
    local sport_ours = pinfo.src_port == 65432
    local dport_ours = pinfo.dst_port == 65432
    if sport_ours and not dport_ours then
      st.client = {tostring(pinfo.dst), pinfo.dst_port}
    else
      st.client = {tostring(pinfo.src), pinfo.src_port}
    end
  end
  return (tostring(pinfo.src) == st.client[1] and pinfo.src_port == st.client[2]) and C2S or S2C
end

local heuristic_call = false -- dissect() called by the heuristic (below)

local function dissect(tvb, pinfo, tree)
  local len = tvb:len()
  if len == 0 then return 0 end
  local key = connection_key(pinfo)
  -- Taken by the heuristic: the connection's own from that frame on, as in the C plugin (Lua
  -- sets a conversation's dissector for all its frames; later passes give earlier ones back).
  local from = taken_from[key]
  if from and pinfo.number < from then return 0 end
  local st = streams[key]
  if not st then
    st = {conn = new_conn(), waiting = {}}
    streams[key] = st
  end
  local dir = direction(st, pinfo)
  local visited, number = pinfo.visited, pinfo.number
  local first_in_frame = tonumber(pinfo.private.appmsg_count or "0")
  local json = appmsg.prefs.payload_as_json
  local c = {tvb = tvb, pinfo = pinfo, tree = tree, s = tvb:raw(0, len), len = len,
             stream = st, dir = dir, d = st.conn[dir], checked = appmsg.prefs.checked,
             max_length = appmsg.prefs.max_length, time = pinfo.rel_ts, visited = visited,
             number = number, count = first_in_frame, info = info_texts(pinfo), real = {},
             msgs = tonumber(pinfo.private.appmsg_msgs or "0"),
             json_dissector = json and appmsg.prefs.json_dissector}
  c.json_members = json and not c.json_dissector
  -- Whether this data begins with the message that waited in dir (a reassembly): known on the
  -- first pass, kept for TCP's nth call in this frame.
  local call = tonumber(pinfo.private.appmsg_calls or "0") + 1
  pinfo.private.appmsg_calls = tostring(call)
  local reassembled
  if not visited then
    reassembled = st.waiting[dir] or false
    st.waiting[dir] = false
    if reassembled then
      reassembled_calls[number] = (reassembled_calls[number] or 0) + 2 ^ (call - 1)
    end
  else
    reassembled = has(reassembled_calls[number] or 0, 2 ^ (call - 1))
  end
  -- (A FIN or RST in this segment is TCP's to know, not pinfo's: the message it cuts waits.)
  -- (Called by the heuristic, Lua is told TCP cannot desegment, but TCP does as asked.)
  local can_wait = appmsg.prefs.desegment and (pinfo.can_desegment > 0 or heuristic_call)
  local off = 0
  while off < len do
    local kind, n, f, more = read_next(c.s, len, off, reassembled, can_wait, c.checked,
                                       c.max_length)
    if kind ~= READ_SKIPPED and not visited then conn_framed(c.d, kind == READ_TOO_LONG) end
    if kind == READ_MESSAGE then show_message(c, off, f)
    elseif kind == READ_SKIPPED then show_skipped(c, off, n)
    elseif kind == READ_TOO_LONG then show_too_long(c, off, f)
    elseif kind == READ_WAIT then
      pinfo.desegment_offset = off
      pinfo.desegment_len = more > 0 and more or DESEGMENT_ONE_MORE_SEGMENT
      if not visited then st.waiting[dir] = true end
      break
    else
      show_truncated(c, off, f, "not reassembled")
    end
    off = off + n
  end
  end_of_call(c, first_in_frame)
  return len
end

-- Lua's collector waits, by default, until the garbage is as large as what is kept, and this
-- edition makes garbage fast (each item and byte range Wireshark hands back to Lua). While it
-- dissects, it asks the collector to keep up (a cycle begins at once after the last, and does
-- ten times the work per step): on a 1,000,000-message capture that is half its time, from
-- the allocator working through less memory. Put back after each call, as other Lua
-- plugins share the collector.
local GC_PAUSE, GC_STEPMUL = 110, 1000

function appmsg.dissector(tvb, pinfo, tree)
  local pause = collectgarbage("setpause", GC_PAUSE)
  local stepmul = collectgarbage("setstepmul", GC_STEPMUL)
  local ok, result = pcall(dissect, tvb, pinfo, tree)
  collectgarbage("setpause", pause)
  collectgarbage("setstepmul", stepmul)
  if not ok then error(result, 0) end
  return result
end

local tcp_port = DissectorTable.get("tcp.port")
tcp_port:add(65432, appmsg)
tcp_port:add_for_decode_as(appmsg)

-- ---- The heuristic (plugin/appmsg-heur.c, core/appmsg_evidence.c) ---------------------------
-- AppMsg on a port nobody registered. A connection is taken from the segment that holds a
-- whole message from its first magic on (its payload one JSON value, the next magic right
-- after it), or that starts with a header as a direction's first data. Lua sees no TCP
-- sequence numbers on the first pass (no tree is built there), so a direction's first data is
-- the first the heuristic was offered (joined with what follows when it is shorter than a
-- magic and starts like one), and the C plugin's other clue (the segment where an earlier
-- header said its message ends) is not used.

local EVIDENCE_NONE, EVIDENCE_PREFIX, EVIDENCE_HEADER, EVIDENCE_MESSAGE = 0, 1, 2, 3

local function json_may_start_with(b)
  return b ~= nil and b ~= 0 and find(" \t\n\r{[\"-tfn0123456789", string.char(b), 1, true) ~= nil
end

local function evidence_of(s, len, at, checked, max_length)
  if len - at < 4 then return EVIDENCE_NONE end
  local f = frame_next(s, len, at, checked, max_length, NEXT_FRAME)
  if f.kind == BAD_MAGIC or f.kind == TOO_LONG then return EVIDENCE_NONE end
  if not f.have_header then return EVIDENCE_PREFIX end
  local payload = at + f.header_len
  if f.length > 0 and len > payload and not json_may_start_with(byte(s, payload + 1)) then
    return EVIDENCE_NONE
  end
  if f.kind ~= MESSAGE or f.length == 0 or not json_valid(s, payload, payload + f.length) then
    return EVIDENCE_HEADER
  end
  if f.len < len - at and find_magic(s, len, at + f.len) ~= at + f.len then
    return EVIDENCE_HEADER
  end
  return EVIDENCE_MESSAGE
end

-- Another dissector is registered for the port: what it refused is still its traffic.
local function port_owned_by_another(port)
  local d = tcp_port:get_dissector(port)
  return d ~= nil and tostring(d) ~= "appmsg"
end

local function heuristic(tvb, pinfo, tree)
  local len = tvb:len()
  if len == 0 then return false end
  if pinfo.visited then
    if not heur_took[pinfo.number] then return false end
  else
    local key = connection_key(pinfo)
    local sender = key .. ">" .. tostring(pinfo.src) .. "/" .. pinfo.src_port
    local first = not heur_seen[sender]
    local s = tvb:raw(0, len)
    local owned = port_owned_by_another(pinfo.src_port) or port_owned_by_another(pinfo.dst_port)
    -- A direction's first data shorter than a magic that starts like one (big-endian: an 'x'
    -- typed alone is not a little-endian magic's start): TCP joins it with the next segment.
    if len < 4 and first and byte(s, 1) == 0x12 and find_magic(s, len, 0) == 0 and not owned
        and appmsg.prefs.desegment then
      pinfo.desegment_offset = 0
      pinfo.desegment_len = DESEGMENT_ONE_MORE_SEGMENT
      return true
    end
    heur_seen[sender] = true
    local at = find_magic(s, len, 0)
    if at + 4 > len or owned then return false end
    local evidence = evidence_of(s, len, at, appmsg.prefs.checked, appmsg.prefs.max_length)
    if not (evidence == EVIDENCE_MESSAGE or (evidence ~= EVIDENCE_NONE and at == 0 and first)) then
      return false
    end
    heur_took[pinfo.number] = true
    taken_from[key] = pinfo.number
    pinfo.conversation = appmsg
  end
  heuristic_call = true
  local ok, err = pcall(appmsg.dissector, tvb, pinfo, tree)
  heuristic_call = false
  if not ok then error(err, 0) end
  return true
end

appmsg:register_heuristic("tcp", heuristic)
