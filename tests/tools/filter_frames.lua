-- The frames each display filter matches, for many filters in one tshark run: a tshark start
-- costs more than reading a small capture. The script's argument is a file of filters, one a
-- line; a tap on every frame with each filter (Wireshark primes and tests it as -Y does) and,
-- when tshark has read the capture, one line per filter: its line number, a tab, its frames.
-- Run as tshark -q -2 -X lua_script:filter_frames.lua -X lua_script1:FILE -r CAPTURE; a
-- filter that does not compile gets no line (Wireshark's message is on stderr).
local path = ...
local frames = {}

-- Made once a capture is opened, not as the script loads: Wireshark reads the preferences and
-- UATs (the profile's type names, as in "appmsg.type == logout") after its Lua scripts.
local function add_taps()
  local n = 0
  for filter in io.lines(path) do
    n = n + 1
    local mine, index = {}, n
    frames[n] = mine
    local tap = Listener.new(nil, filter)
    function tap.packet(pinfo)
      mine[#mine + 1] = tostring(pinfo.number)
    end
    function tap.draw()
      print(index .. "\t" .. table.concat(mine, " "))
    end
  end
end

-- A protocol of the test's own, only for its init routine (called as each capture is opened).
local added = false
local init_only = Proto("filterframes", "Frames per filter (appmsg tests)")
function init_only.init()
  if not added then
    added = true
    add_taps()
  end
end
