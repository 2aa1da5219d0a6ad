package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"recoup/domain"
)

// User returns one user by id; domain CodeNotFound when there is none.
func (s *Store) User(ctx context.Context, id int64) (User, error) {
	users, err := listUsers(ctx, s.Pool, &id, nil)
	if err != nil {
		return User{}, err
	}
	if len(users) == 0 {
		return User{}, domain.Errorf(domain.CodeNotFound, "user %d not found", id)
	}
	return users[0], nil
}

const (
	passwordHashByID = `SELECT coalesce(password_hash, '') FROM users WHERE id = $1 AND NOT disabled`
	setPassword      = `UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1`
	// endOtherSessions keeps the session the change was made from.
	endOtherSessions = `DELETE FROM sessions WHERE user_id = $1 AND ($2::bytea IS NULL OR token_hash <> $2)`
)

// PasswordHashByID is a user's password hash ("" when they have none or are disabled).
func (s *Store) PasswordHashByID(ctx context.Context, id int64) (string, error) {
	var hash string
	err := s.Pool.QueryRow(ctx, passwordHashByID, id).Scan(&hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return hash, err
}

// SetPassword stores a user's new password hash and ends their other
// sessions (keep is the hash of the session to keep; nil ends them all),
// journaled without the hash.
func (s *Store) SetPassword(ctx context.Context, userID int64, hash string, keep []byte, actor string) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, setPassword, userID, hash)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return domain.Errorf(domain.CodeNotFound, "user %d not found", userID)
		}
		if _, err := tx.Exec(ctx, endOtherSessions, userID, keep); err != nil {
			return err
		}
		return Journal(ctx, tx, Entry{Actor: actor, Action: "user.password", Target: fmt.Sprintf("user/%d", userID)})
	})
}
