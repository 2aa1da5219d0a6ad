package auth_test

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"recoup/auth"
)

// Link tokens: the long form for emails, the short one for texts; both look
// like nothing but random characters, each is new, and their hash is what is kept.
func TestPortalTokens(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		short bool
		shape *regexp.Regexp
	}{
		{false, regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)},
		{true, regexp.MustCompile(`^[0-9A-Za-z]{22}$`)},
	} {
		seen := map[string]bool{}
		for range 200 {
			token, hash := auth.NewPortalToken(tc.short)
			require.Regexp(t, tc.shape, token)
			require.True(t, auth.PortalTokenShape(token))
			require.Equal(t, auth.HashSecret(token), hash)
			require.False(t, seen[token])
			seen[token] = true
		}
	}
	for _, bad := range []string{"", "abc", "../../../../../../../../../../etc/passwd", "AAAAAAAAAAAAAAAAAAAAA'", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"} {
		require.False(t, auth.PortalTokenShape(bad), bad)
	}
	require.Equal(t, "https://ar.example/portal/l/abc", auth.PortalLinkURL("https://ar.example/", "abc"))
}
