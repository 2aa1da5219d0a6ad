package auth_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/auth"
	"recoup/domain"
)

func TestPasswordsAreHashedAndCheckedNeverKeptPlain(t *testing.T) {
	t.Parallel()
	hash, err := auth.HashPassword("correct horse battery staple")
	require.NoError(t, err)
	require.NotContains(t, hash, "correct horse")
	require.True(t, strings.HasPrefix(hash, "$2a$"), "bcrypt")
	require.True(t, auth.VerifyPassword(hash, "correct horse battery staple"))
	require.False(t, auth.VerifyPassword(hash, "correct horse battery stapler"))
	require.False(t, auth.VerifyPassword("", "anything at all"), "no password set never matches")

	for _, tt := range []struct{ password, why string }{
		{"short", "at least 12"},
		{strings.Repeat("x", 73), "at most 72 bytes"},
		{"twelve chars\xff", "UTF-8"},
	} {
		_, err := auth.HashPassword(tt.password)
		require.ErrorContains(t, err, tt.why)
		require.Equal(t, "password", err.(*domain.Error).Field)
	}
}

func TestSecretsAreRandomPrefixedAndLookedUpByHash(t *testing.T) {
	t.Parallel()
	a, ha := auth.NewSecret(auth.TokenPrefix)
	b, hb := auth.NewSecret(auth.TokenPrefix)
	require.NotEqual(t, a, b)
	require.NotEqual(t, ha, hb)
	require.Equal(t, ha, auth.HashSecret(a))
	require.NoError(t, auth.CheckSecret(auth.TokenPrefix, a))
	require.Error(t, auth.CheckSecret(auth.SessionPrefix, a), "a token is not a session")
	require.Error(t, auth.CheckSecret(auth.TokenPrefix, a[:len(a)-1]))
}

func TestParseExpiry(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		in      string
		want    time.Time
		wantErr string
	}{
		{"", now.Add(90 * 24 * time.Hour), ""},
		{"30d", now.Add(30 * 24 * time.Hour), ""},
		{"12h", now.Add(12 * time.Hour), ""},
		{"2027-06-30", time.Date(2027, 7, 1, 0, 0, 0, 0, time.UTC), ""},
		{"2027-01-01T08:00:00+01:00", time.Date(2027, 1, 1, 7, 0, 0, 0, time.UTC), ""},
		{"0d", time.Time{}, "number of days"},
		{"3y", time.Time{}, "want 90d"},
		{"2026-01-01", time.Time{}, "in the past"},
		{"731d", time.Time{}, "two years"},
		{"2562048d", time.Time{}, "two years"}, // would wrap around if multiplied first
		{"9223372036854775807h", time.Time{}, "two years"},
	}
	for _, tt := range tests {
		got, err := auth.ParseExpiry("expires", tt.in, now)
		if tt.wantErr != "" {
			require.ErrorContains(t, err, tt.wantErr, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		require.Equal(t, tt.want, got, tt.in)
	}
}

func TestAnImportTokenMayOnlyImportWhateverTheRole(t *testing.T) {
	t.Parallel()
	for _, role := range domain.Roles {
		p := domain.Principal{Role: role, Scope: domain.ScopeImport}
		for _, a := range auth.Actions {
			require.Equal(t, a == auth.ImportsCreate && auth.RoleAllows(role, a), auth.Allows(p, a), "%s %s", role, a)
		}
		full := domain.Principal{Role: role, Scope: domain.ScopeFull}
		for _, a := range auth.Actions {
			require.Equal(t, auth.RoleAllows(role, a), auth.Allows(full, a), "%s %s", role, a)
		}
	}
	require.True(t, auth.RoleAllows(domain.RoleAuditor, auth.HistoryRead))
	for _, a := range auth.Actions {
		if auth.RoleAllows(domain.RoleAuditor, a) {
			// Beyond reading, only what is their own: their tokens, their notifications read.
			require.True(t, strings.HasSuffix(string(a), ".read") || a == auth.TokensOwn || a == auth.NotificationsOwn,
				"auditors read and change nothing: %s", a)
		}
	}
}
