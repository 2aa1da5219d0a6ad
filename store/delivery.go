package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Twilio reports what became of a text or call: delivered, failed, no answer.
const (
	findByProviderRef = `SELECT key, customer_id, status FROM message_log WHERE provider_ref = $1`
	setDeliveryStatus = `UPDATE message_log SET status = $2, detail = $3, updated_at = now() WHERE key = $1`
)

// RecordDelivery stores a provider's delivery report for the message it sent
// as ref, and journals it; an unknown ref is ignored (reports can outlive logs).
func (s *Store) RecordDelivery(ctx context.Context, ref, outcome, errorCode string) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var key, status string
		var customerID int64
		if err := tx.QueryRow(ctx, findByProviderRef, ref).Scan(&key, &customerID, &status); err == pgx.ErrNoRows {
			return nil
		} else if err != nil {
			return err
		}
		newStatus := status
		switch outcome {
		case "delivered", "completed":
			newStatus = "delivered"
		case "failed", "undelivered", "no-answer", "busy", "canceled":
			newStatus = "failed"
		}
		detail := outcome
		if errorCode != "" {
			detail += " (error " + errorCode + ")"
		}
		if _, err := tx.Exec(ctx, setDeliveryStatus, key, newStatus, detail); err != nil {
			return err
		}
		after, _ := json.Marshal(map[string]string{"key": key, "provider_ref": ref, "outcome": outcome, "error_code": errorCode})
		return Journal(ctx, tx, Entry{Actor: "twilio", Action: "dunning.delivery." + newStatus,
			Target: fmt.Sprintf("customer/%d", customerID), After: after})
	})
}

// Every row an import writes carries the import transaction's now() as
// updated_at, which is also the import's started_at: that finds the accounts
// an import touched without recording them one by one.
const touchedByImport = `
SELECT DISTINCT i.customer_id FROM invoices i
WHERE i.updated_at = (SELECT started_at FROM imports WHERE id = $1)
ORDER BY 1`

// TouchedCustomers lists the accounts whose invoices an import changed.
func (s *Store) TouchedCustomers(ctx context.Context, importID int64) ([]int64, error) {
	rows, err := s.Pool.Query(ctx, touchedByImport, importID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

const customersWithOpenItems = `
SELECT DISTINCT customer_id FROM invoices WHERE status IN ('open', 'disputed') AND type = 'invoice' AND open_minor > 0 ORDER BY 1`

// CustomersWithOpenItems lists every account dunning should be running for.
func (s *Store) CustomersWithOpenItems(ctx context.Context) ([]int64, error) {
	rows, err := s.Pool.Query(ctx, customersWithOpenItems)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}
