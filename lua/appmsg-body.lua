-- The Lua edition of the AppMsg dissector, for a Wireshark that cannot load the C plugin (the
-- Windows and macOS installers): registration. The head before this (lua/lua_header.c) made
-- F and FIELD_LIST (fields), E and EXPERT_LIST (expert infos), P (preferences) and PROBLEMS from
-- the C plugin's own lists.
--
-- Runs on Wireshark 4.0 (Lua 5.2) to 4.6 (Lua 5.4): no bit32, no integer operators.

local appmsg = Proto("appmsg", "AppMsg Magic-Number Application Protocol")

appmsg.fields = FIELD_LIST
appmsg.experts = EXPERT_LIST

-- The C plugin's preferences, by the same names (appmsg.desegment, ...).
for _, p in ipairs(P) do
  appmsg.prefs[p[1]] = p[2](p[3], p[4], p[5])
end
