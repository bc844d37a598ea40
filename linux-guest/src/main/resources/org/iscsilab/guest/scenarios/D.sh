# D: log out while the session recovers: the session is destroyed and its devices removed.
await freeze
wait_state "$d" blocked 60
mark REMOVAL_START "$(now)"
iscsiadm -m node -T "$GUEST_TARGET" --logout > /dev/null || mark LOGOUT_ERROR
mark REMOVAL_DONE "$(now)"
await thaw
dump_trace
