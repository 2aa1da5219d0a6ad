// Package activities holds every side effect Recoup's workflows have:
// database reads and writes, email, SMS and calls. Each is idempotent.
package activities

import (
	"context"

	"recoup/domain"
)

// Counter is the part of the store the activities here read.
type Counter interface {
	Counts(ctx context.Context) (domain.Counts, error)
}

// Store holds the database-backed activities.
type Store struct {
	DB Counter
}

// Counts summarizes what the database holds.
func (s *Store) Counts(ctx context.Context) (domain.Counts, error) {
	return s.DB.Counts(ctx)
}
