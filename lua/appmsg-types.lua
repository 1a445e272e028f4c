-- The type table the C plugin edits as a UAT ("AppMsg Type Names", the file appmsg_types in the
-- personal configuration folder: lines "1","login"), read once when Wireshark starts: the type
-- field's names (appmsg.type == login) and the Info column's.
local function read_type_names()
  local names = {}
  local ok, path = pcall(function() return Dir.personal_config_path("appmsg_types") end)
  local file = ok and path and io.open(path, "r")
  if not file then return names end
  for line in file:lines() do
    local number, name = line:match('^%s*"(%d+)"%s*,%s*"(.*)"%s*$')
    if number then names[tonumber(number)] = name:gsub('\\(.)', '%1') end
  end
  file:close()
  return names
end
