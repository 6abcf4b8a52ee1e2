package email_test

import (
	"os"
	"syscall"
)

type ownerIDs struct{ uid, gid int }

// fileOwner is who owns a file (Dovecot runs as the mail user when the
// tests run as root).
func fileOwner(fi os.FileInfo) (ownerIDs, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return ownerIDs{}, false
	}
	return ownerIDs{int(st.Uid), int(st.Gid)}, true
}
