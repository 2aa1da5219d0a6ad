package devenv

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"text/tabwriter"

	"recoup/auth"
	"recoup/domain"
	"recoup/store"
)

// DevUser is one of the accounts `recoup dev` signs a newcomer in with.
type DevUser struct {
	Role       domain.Role `json:"role"`
	Email      string      `json:"email"`
	Password   string      `json:"password"`
	Department string      `json:"department,omitempty"`
}

// Credentials is what `recoup dev` keeps in its data directory (mode 0600),
// so the same passwords work after a restart and are printed again.
type Credentials struct {
	Users      []DevUser `json:"users"`
	AdminToken string    `json:"admin_token"`
}

// devUsers names one user per role; most are people of the demo data set,
// so their portfolios are not empty.
var devUsers = []DevUser{
	{Role: domain.RoleAdmin, Email: "sofia.berg@recoup.example"},
	{Role: domain.RoleCreditManager, Email: "claire.moreau@recoup.example"},
	{Role: domain.RoleAgent, Email: "julie.lambert@recoup.example"},
	{Role: domain.RoleSalesRep, Email: "marc.dubois@recoup.example"},
	{Role: domain.RoleDepartment, Email: "legal@recoup.example", Department: "legal"},
	{Role: domain.RoleDivisionManager, Email: "paul.meyer@recoup.example"},
	{Role: domain.RoleAuditor, Email: "ingrid.holm@recoup.example"},
}

const credentialsFile = "dev-credentials.json"

// ensureDevUsers gives each dev user its password (generated once, then
// kept in dir) and the admin an API token for scripts. Users whose password
// already works are left alone, so restarts journal nothing.
func ensureDevUsers(ctx context.Context, st *store.Store, dir string) (Credentials, error) {
	path := filepath.Join(dir, credentialsFile)
	creds, err := readCredentials(path)
	if err != nil {
		return creds, err
	}
	known := map[string]string{}
	for _, u := range creds.Users {
		known[u.Email] = u.Password
	}
	creds.Users = nil
	for _, u := range devUsers {
		u.Password = known[u.Email]
		if u.Password == "" {
			u.Password = rand.Text() // 26 base32 characters: 130 random bits
		}
		_, hash, err := st.PasswordHash(ctx, u.Email)
		if err != nil {
			return creds, err
		}
		if !auth.VerifyPassword(hash, u.Password) {
			spec, err := auth.UserSpec(u.Email, "", string(u.Role), u.Department, u.Password, nil)
			if err != nil {
				return creds, err
			}
			if _, err := st.PutUser(ctx, spec, "recoup dev"); err != nil {
				return creds, fmt.Errorf("dev user %s: %w", u.Email, err)
			}
		}
		creds.Users = append(creds.Users, u)
	}
	if creds.AdminToken == "" || auth.CheckSecret(auth.TokenPrefix, creds.AdminToken) != nil || !tokenWorks(ctx, st, creds.AdminToken) {
		_, creds.AdminToken, err = auth.IssueToken(ctx, st, devUsers[0].Email, "recoup dev scripts", "full", "730d", "recoup dev")
		if err != nil {
			return creds, err
		}
	}
	b, _ := json.MarshalIndent(creds, "", "  ")
	return creds, os.WriteFile(path, b, 0o600)
}

func tokenWorks(ctx context.Context, st *store.Store, token string) bool {
	_, err := st.TokenPrincipal(ctx, auth.HashSecret(token))
	return err == nil
}

func readCredentials(path string) (Credentials, error) {
	var c Credentials
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return Credentials{}, nil // unreadable: start over with new passwords
	}
	return c, nil
}

func printCredentials(out io.Writer, api string, c Credentials, dir string) {
	fmt.Fprintf(out, "\nSign in at %s/login (or POST %s/api/v1/auth/login) as any role; kept in %s:\n", api, api, filepath.Join(dir, credentialsFile))
	w := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	for _, u := range c.Users {
		fmt.Fprintf(w, "  %s\t%s\t%s\n", u.Role, u.Email, u.Password)
	}
	_ = w.Flush()
	fmt.Fprintf(out, "Scripts: curl -H 'Authorization: Bearer %s' %s/api/v1/customers\n", c.AdminToken, api)
}
