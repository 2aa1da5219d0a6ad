package store

import (
	"context"
	"encoding/hex"
	"fmt"
)

// JournalCheck is the outcome of verifying the audit journal's hash chain.
type JournalCheck struct {
	Rows     int64
	LastHash string // hex; empty for an empty journal
	// BrokenAt is the seq of the first row whose chain does not hold, 0 if none.
	BrokenAt  int64
	BrokenID  int64
	BrokenWhy string
}

// Each row must link to the previous one (prev_hash), hash its own content,
// and follow it without a gap in seq (a removed row leaves one).
const verifyJournal = `
SELECT seq, id,
       seq = row_number() OVER (ORDER BY seq) AS in_sequence,
       prev_hash = coalesce(lag(hash) OVER (ORDER BY seq), '\x'::bytea) AS linked,
       hash = audit_journal_digest(prev_hash, j) AS intact,
       hash
FROM audit_journal j
ORDER BY seq`

// VerifyJournal walks the whole chain and reports the first broken row.
func (s *Store) VerifyJournal(ctx context.Context) (JournalCheck, error) {
	var c JournalCheck
	rows, err := s.Pool.Query(ctx, verifyJournal)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		var seq, id int64
		var inSequence, linked, intact bool
		var hash []byte
		if err := rows.Scan(&seq, &id, &inSequence, &linked, &intact, &hash); err != nil {
			return c, err
		}
		c.Rows++
		c.LastHash = hex.EncodeToString(hash)
		if c.BrokenAt != 0 {
			continue
		}
		why := ""
		switch {
		case !inSequence:
			why = fmt.Sprintf("a row before it is missing (seq %d is number %d)", seq, c.Rows)
		case !intact:
			why = "its content does not match its hash: the row was changed"
		case !linked:
			why = "it does not link to the row before it"
		}
		if why != "" {
			c.BrokenAt, c.BrokenID, c.BrokenWhy = seq, id, why
		}
	}
	return c, rows.Err()
}
