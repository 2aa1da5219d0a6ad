package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"recoup/domain"
)

// UserSpec is a user as an admin sets it up.
type UserSpec struct {
	Email        string
	Name         string // "" keeps the current name (or uses the email for a new user)
	Role         domain.Role
	Entities     []string          // entity codes; nil: every entity
	Department   domain.Department // for the department role: the task assignee routed to it (e.g. legal)
	PasswordHash string            // "" keeps the current password (none for a new user)
	Disabled     *bool             // nil keeps the current state; disabling ends the user's sessions (tokens stop with it)
}

// User is a user as admins list them; never with a password hash.
type User struct {
	ID          int64             `json:"id"`
	Email       string            `json:"email"`
	Name        string            `json:"name"`
	Role        domain.Role       `json:"role"`
	AllEntities bool              `json:"all_entities"`
	Entities    []string          `json:"entities"`
	Department  domain.Department `json:"department"`
	CanSignIn   bool              `json:"can_sign_in"`
	Disabled    bool              `json:"disabled"`
}

// NormalizeEmail checks an email address and returns it lowercased.
func NormalizeEmail(field, email string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if !domain.IsEmail(email) {
		return "", domain.FieldError(field, "%q is not an email address", email)
	}
	return email, nil
}

const upsertUser = `
INSERT INTO users AS u (email, name, role, all_entities, department, password_hash, disabled)
VALUES (@email, CASE WHEN @name = '' THEN @email ELSE @name END, @role, @all_entities, @department, nullif(@password_hash, ''),
        coalesce(@disabled::boolean, false))
ON CONFLICT (email) DO UPDATE SET
    name = CASE WHEN @name = '' THEN u.name ELSE @name END,
    role = @role, all_entities = @all_entities, department = @department,
    password_hash = coalesce(nullif(@password_hash, ''), u.password_hash),
    disabled = coalesce(@disabled::boolean, u.disabled), updated_at = now()
RETURNING id`

const endSessions = `DELETE FROM sessions WHERE user_id = $1`

const clearUserEntities = `DELETE FROM user_entities WHERE user_id = $1`

// Unknown codes come back so the error can name them.
const setUserEntities = `
WITH wanted AS (SELECT unnest($2::text[]) AS code),
ins AS (
    INSERT INTO user_entities (user_id, entity_id)
    SELECT $1, e.id FROM wanted w JOIN entities e ON e.code = w.code
    ON CONFLICT DO NOTHING)
SELECT coalesce(array_agg(w.code ORDER BY w.code), '{}') FROM wanted w WHERE NOT EXISTS (SELECT 1 FROM entities e WHERE e.code = w.code)`

const selectUsers = `
SELECT u.id, u.email, u.name, u.role, u.all_entities,
       coalesce(array_agg(e.code ORDER BY e.code) FILTER (WHERE e.id IS NOT NULL), '{}'),
       u.department, u.password_hash IS NOT NULL, u.disabled
FROM users u` + principalEntities + `
WHERE ($1::bigint IS NULL OR u.id = $1) AND ($2::text IS NULL OR u.email = $2)
GROUP BY u.id
ORDER BY u.email`

// PutUser creates or updates a user, journaled with actor. The password hash
// never reaches the journal.
func (s *Store) PutUser(ctx context.Context, u UserSpec, actor string) (User, error) {
	var out User
	email, err := NormalizeEmail("email", u.Email)
	if err != nil {
		return out, err
	}
	if _, err := domain.ParseRole(string(u.Role)); err != nil {
		return out, err
	}
	if u.Role == domain.RoleDepartment && u.Department == "" {
		return out, domain.FieldError("department", "required for the department role (the task role routed to it, e.g. legal)")
	}
	err = pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		before, err := listUsers(ctx, tx, nil, &email)
		if err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRow(ctx, upsertUser, pgx.NamedArgs{"email": email, "name": u.Name, "role": string(u.Role),
			"all_entities": u.Entities == nil, "department": string(u.Department), "password_hash": u.PasswordHash,
			"disabled": u.Disabled}).Scan(&id); err != nil {
			return err
		}
		if u.Disabled != nil && *u.Disabled {
			if _, err := tx.Exec(ctx, endSessions, id); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, clearUserEntities, id); err != nil {
			return err
		}
		if u.Entities != nil {
			var unknown []string
			if err := tx.QueryRow(ctx, setUserEntities, id, u.Entities).Scan(&unknown); err != nil {
				return err
			}
			if len(unknown) > 0 {
				return domain.FieldError("entities", "unknown entity %s", strings.Join(unknown, ", "))
			}
		}
		users, err := listUsers(ctx, tx, &id, nil)
		if err != nil {
			return err
		}
		out = users[0]
		entry := Entry{Actor: actor, Action: "user.put", Target: fmt.Sprintf("user/%d", id)}
		entry.After, _ = json.Marshal(struct {
			User
			PasswordChanged bool `json:"password_changed"`
		}{out, u.PasswordHash != ""})
		if len(before) > 0 {
			entry.Before, _ = json.Marshal(before[0])
		}
		return Journal(ctx, tx, entry)
	})
	return out, err
}

type rowsQuerier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// listUsers returns every user, or the one with id or email.
func listUsers(ctx context.Context, q rowsQuerier, id *int64, email *string) ([]User, error) {
	rows, err := q.Query(ctx, selectUsers, id, email)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (User, error) {
		var u User
		err := r.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.AllEntities, &u.Entities, &u.Department, &u.CanSignIn, &u.Disabled)
		return u, err
	})
}

// ListUsers returns every user.
func (s *Store) ListUsers(ctx context.Context) ([]User, error) {
	return listUsers(ctx, s.Pool, nil, nil)
}

// A principal is read in one query with the credential it comes from: this
// runs on every API request. Disabled users have none.
const principalColumns = `u.id, u.email, u.name, u.role, u.all_entities, u.department, u.language,
       coalesce(array_agg(e.id ORDER BY e.code) FILTER (WHERE e.id IS NOT NULL), '{}'),
       coalesce(array_agg(e.code ORDER BY e.code) FILTER (WHERE e.id IS NOT NULL), '{}')`

const principalEntities = `
LEFT JOIN user_entities ue ON ue.user_id = u.id
LEFT JOIN entities e ON e.id = ue.entity_id`

const sessionPrincipal = `
SELECT ` + principalColumns + `
FROM sessions s
JOIN users u ON u.id = s.user_id` + principalEntities + `
WHERE s.token_hash = $1 AND s.expires_at > now() AND NOT u.disabled
GROUP BY u.id`

func scanPrincipal(r pgx.Row, more ...any) (domain.Principal, error) {
	var p domain.Principal
	err := r.Scan(append([]any{&p.UserID, &p.Email, &p.Name, &p.Role, &p.AllEntities, &p.Department, &p.Language, &p.EntityIDs, &p.EntityCodes}, more...)...)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, ErrNoCredential
	}
	return p, err
}

const setLanguage = `UPDATE users SET language = $2 WHERE id = $1`

// SetLanguage records the language a user chose for the web app ("" follows the browser).
func (s *Store) SetLanguage(ctx context.Context, userID int64, lang, actor string) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, setLanguage, userID, lang); err != nil {
			return err
		}
		after, _ := json.Marshal(map[string]string{"language": lang})
		return Journal(ctx, tx, Entry{Actor: actor, Action: "user.language", Target: fmt.Sprintf("user/%d", userID), After: after})
	})
}

// ErrNoCredential: the session or token is unknown, expired, revoked, or its user disabled.
var ErrNoCredential = domain.Errorf(domain.CodeUnauthorized, "sign in, or send a valid API token as Authorization: Bearer")

// PasswordHash returns a user's id and password hash for sign-in; "" when the
// user is unknown, disabled or has no password.
func (s *Store) PasswordHash(ctx context.Context, email string) (int64, string, error) {
	var id int64
	var hash string
	err := s.Pool.QueryRow(ctx, `SELECT id, coalesce(password_hash, '') FROM users WHERE email = $1 AND NOT disabled`,
		strings.ToLower(email)).Scan(&id, &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, "", nil
	}
	return id, hash, err
}

// CreateSession stores a browser session (by the hash of its secret); the
// sign-in is journaled.
func (s *Store) CreateSession(ctx context.Context, userID int64, hash []byte, expires time.Time, address, actor string) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, expires_at, address) VALUES ($1, $2, $3, $4)`,
			hash, userID, expires, address); err != nil {
			return err
		}
		after, _ := json.Marshal(map[string]any{"address": address, "expires_at": expires.UTC()})
		return Journal(ctx, tx, Entry{Actor: actor, Action: "user.sign_in", Target: fmt.Sprintf("user/%d", userID), After: after})
	})
}

// SessionPrincipal returns who holds the session whose secret hashes to hash.
func (s *Store) SessionPrincipal(ctx context.Context, hash []byte) (domain.Principal, error) {
	return scanPrincipal(s.Pool.QueryRow(ctx, sessionPrincipal, hash))
}

// DeleteSession ends a session (sign-out).
func (s *Store) DeleteSession(ctx context.Context, hash []byte) error {
	_, err := s.Pool.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1 OR expires_at < now()`, hash)
	return err
}

// Token is a personal API token as its owner and admins see it: never the secret.
type Token struct {
	ID         int64             `json:"id"`
	UserEmail  string            `json:"user_email"`
	Name       string            `json:"name"`
	Scope      domain.TokenScope `json:"scope"`
	CreatedAt  time.Time         `json:"created_at"`
	ExpiresAt  *time.Time        `json:"expires_at"`
	RevokedAt  *time.Time        `json:"revoked_at"`
	LastUsedAt *time.Time        `json:"last_used_at"`
}

const tokenColumns = `t.id, u.email, t.name, t.scope, t.created_at, t.expires_at, t.revoked_at, t.last_used_at`

func scanToken(r pgx.Row) (Token, error) {
	var t Token
	err := r.Scan(&t.ID, &t.UserEmail, &t.Name, &t.Scope, &t.CreatedAt, &t.ExpiresAt, &t.RevokedAt, &t.LastUsedAt)
	return t, err
}

const insertToken = `
WITH t AS (
    INSERT INTO api_tokens (user_id, name, scope, token_hash, expires_at)
    SELECT id, $2, $3, $4, $5 FROM users WHERE email = $1
    RETURNING *)
SELECT ` + tokenColumns + ` FROM t JOIN users u ON u.id = t.user_id`

// CreateToken stores a token for the user with email (by the hash of its secret).
func (s *Store) CreateToken(ctx context.Context, email, name string, scope domain.TokenScope, hash []byte, expires *time.Time, actor string) (Token, error) {
	var out Token
	if name == "" {
		return out, domain.FieldError("name", "required: say what the token is for")
	}
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var err error
		out, err = scanToken(tx.QueryRow(ctx, insertToken, strings.ToLower(email), name, string(scope), hash, expires))
		if errors.Is(err, pgx.ErrNoRows) {
			return domain.Errorf(domain.CodeNotFound, "user %s not found", email)
		}
		if err != nil {
			return err
		}
		after, _ := json.Marshal(out)
		return Journal(ctx, tx, Entry{Actor: actor, Action: "token.create", Target: fmt.Sprintf("token/%d", out.ID), After: after})
	})
	return out, err
}

// ListTokens returns the tokens of one user (ownerID) or of everyone (nil).
func (s *Store) ListTokens(ctx context.Context, ownerID *int64) ([]Token, error) {
	rows, err := s.Pool.Query(ctx, `SELECT `+tokenColumns+` FROM api_tokens t JOIN users u ON u.id = t.user_id
WHERE ($1::bigint IS NULL OR t.user_id = $1) ORDER BY t.id`, ownerID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Token, error) { return scanToken(r) })
}

// RevokeToken revokes token id, which must belong to ownerID unless that is nil (admins).
func (s *Store) RevokeToken(ctx context.Context, id int64, ownerID *int64, actor string) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now())
WHERE id = $1 AND ($2::bigint IS NULL OR user_id = $2)`, id, ownerID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return domain.Errorf(domain.CodeNotFound, "token %d not found", id)
		}
		return Journal(ctx, tx, Entry{Actor: actor, Action: "token.revoke", Target: fmt.Sprintf("token/%d", id)})
	})
}

// last_used_at is written at most once a minute: a busy token must not turn
// every read into a write.
const tokenPrincipal = `
WITH t AS (SELECT id, user_id, scope, last_used_at FROM api_tokens
           WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())),
touch AS (UPDATE api_tokens a SET last_used_at = now() FROM t
          WHERE a.id = t.id AND (t.last_used_at IS NULL OR t.last_used_at < now() - interval '1 minute'))
SELECT ` + principalColumns + `, t.id, t.scope
FROM t
JOIN users u ON u.id = t.user_id` + principalEntities + `
WHERE NOT u.disabled
GROUP BY u.id, t.id, t.scope`

// TokenPrincipal returns who holds the token whose secret hashes to hash.
func (s *Store) TokenPrincipal(ctx context.Context, hash []byte) (domain.Principal, error) {
	var tokenID int64
	var scope domain.TokenScope
	p, err := scanPrincipal(s.Pool.QueryRow(ctx, tokenPrincipal, hash), &tokenID, &scope)
	p.TokenID, p.Scope = tokenID, scope
	return p, err
}

// RecordLogin keeps a sign-in attempt for rate limiting and the record.
func (s *Store) RecordLogin(ctx context.Context, email, address string, ok bool) error {
	_, err := s.Pool.Exec(ctx, `INSERT INTO login_attempts (email, address, ok) VALUES ($1, $2, $3)`, strings.ToLower(email), address, ok)
	return err
}

// LoginFailures counts failed sign-ins since a time, for an account and for an address.
func (s *Store) LoginFailures(ctx context.Context, email, address string, since time.Time) (byEmail, byAddress int, err error) {
	err = s.Pool.QueryRow(ctx, `SELECT
    (SELECT count(*) FROM login_attempts WHERE email = $1 AND NOT ok AND at > $3),
    (SELECT count(*) FROM login_attempts WHERE address = $2 AND NOT ok AND at > $3)`,
		strings.ToLower(email), address, since).Scan(&byEmail, &byAddress)
	return byEmail, byAddress, err
}
