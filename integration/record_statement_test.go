package integration

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"recoup/flow"
	"recoup/store/storetest"
	"recoup/tclient"
)

// TestRecordStatementHistory records workflows/testdata/dunning_v3_statement_merged.json,
// the history the replay test holds the statement-per-channel version to: on
// the whole dev stack, a customer with one invoice 7 days late and one due
// today gets one merged email (reminder_1 for both). It runs only when
// RECOUP_RECORD_HISTORY=1 (it writes into the source tree).
func TestRecordStatementHistory(t *testing.T) {
	if os.Getenv("RECOUP_RECORD_HISTORY") == "" {
		t.Skip("set RECOUP_RECORD_HISTORY=1 to record the history")
	}
	dbURL := storetest.NewURL(t)
	cfg := devConfig(t, dbURL, t.TempDir())
	info, stop := startRecoupDevWith(t, cfg, io.Discard, 0)
	defer stop()
	country, currency, zone, today := e2eZone(t)
	late := today.AddDays(-7)

	postCSV(t, info.API, "entities", fmt.Sprintf("code,name,country,currency,timezone,language\nE1,Recoup Test,%s,%s,%s,en\n", country, currency, zone))
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `UPDATE entities SET contact_any_time = true`)
	require.NoError(t, err)
	postCSV(t, info.API, "customers", "external_id,entity,name,currency,email,phone,language\n"+
		"A1,E1,Merged Ltd,"+currency+",ap@merged.example,,en\n")
	postCSV(t, info.API, "invoices", "external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount\n"+
		fmt.Sprintf("I1,A1,INV-1,invoice,%s,%s,%s,100,100\n", late.AddDays(-30), late, currency)+
		fmt.Sprintf("I2,A1,INV-2,invoice,%s,%s,%s,250,250\n", today.AddDays(-30), today, currency))

	require.Eventually(t, func() bool { return len(devMail(t, info.API)) >= 1 }, 60*time.Second, 200*time.Millisecond)
	time.Sleep(3 * time.Second) // the workflow records its timer
	require.Len(t, devMail(t, info.API), 1, "one merged email")
	var covered int
	require.NoError(t, conn.QueryRow(ctx, `SELECT jsonb_array_length(covered) FROM message_log`).Scan(&covered))
	require.Equal(t, 2, covered, "the message log records what the email covers")

	var id int64
	require.NoError(t, conn.QueryRow(ctx, `SELECT id FROM customers WHERE external_id = 'A1'`).Scan(&id))
	recordHistory(t, info.Temporal, fmt.Sprintf("dunning/%d", id), "../workflows/testdata/dunning_v3_statement_merged.json")
}

// TestRecordLocalReassignHistory records
// workflows/testdata/dunning_v4_local_reassign.json: on the whole dev stack,
// an account whose invoice is not yet due is reassigned twice by update (the
// local-reassign version: a local activity records each move). It runs only
// when RECOUP_RECORD_HISTORY=1 (it writes into the source tree).
func TestRecordLocalReassignHistory(t *testing.T) {
	if os.Getenv("RECOUP_RECORD_HISTORY") == "" {
		t.Skip("set RECOUP_RECORD_HISTORY=1 to record the history")
	}
	recordReassigned(t, 60, "../workflows/testdata/dunning_v4_local_reassign.json")
}

// TestRecordAllChangesHistory records
// workflows/testdata/dunning_v5_all_changes.json: the same on the
// all-changes version (one marker for every change), with an invoice 7 days
// overdue so that a reminder goes before the two moves. It runs only when
// RECOUP_RECORD_HISTORY=1.
func TestRecordAllChangesHistory(t *testing.T) {
	if os.Getenv("RECOUP_RECORD_HISTORY") == "" {
		t.Skip("set RECOUP_RECORD_HISTORY=1 to record the history")
	}
	recordReassigned(t, -7, "../workflows/testdata/dunning_v5_all_changes.json")
}

// recordReassigned runs, on the whole dev stack, one account with an invoice
// due in dueIn days, reassigns it twice by update and writes its history to out.
func recordReassigned(t *testing.T, dueIn int, out string) {
	dbURL := storetest.NewURL(t)
	cfg := devConfig(t, dbURL, t.TempDir())
	info, stop := startRecoupDevWith(t, cfg, io.Discard, 0)
	defer stop()
	country, currency, zone, today := e2eZone(t)

	postCSV(t, info.API, "entities", fmt.Sprintf("code,name,country,currency,timezone,language\nE1,Recoup Test,%s,%s,%s,en\n", country, currency, zone))
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `INSERT INTO users (email, name, role) VALUES ('alice@example.com', 'Alice', 'agent'), ('bob@example.com', 'Bob', 'agent')`)
	require.NoError(t, err)
	_, err = conn.Exec(ctx, `UPDATE entities SET contact_any_time = true`) // the reminder goes whatever the hour
	require.NoError(t, err)
	postCSV(t, info.API, "customers", "external_id,entity,name,currency,email,phone,language\n"+
		"A1,E1,Later Ltd,"+currency+",ap@later.example,,en\n")
	postCSV(t, info.API, "invoices", "external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount\n"+
		fmt.Sprintf("I1,A1,INV-1,invoice,%s,%s,%s,100,100\n", today.AddDays(min(-10, dueIn-30)), today.AddDays(dueIn), currency))

	var id int64
	require.NoError(t, conn.QueryRow(ctx, `SELECT id FROM customers WHERE external_id = 'A1'`).Scan(&id))
	tc, err := tclient.Dial(ctx, info.Temporal, "default", slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	defer tc.Close()
	fc := flow.NewClient(tc)
	require.Eventually(t, func() bool {
		_, err := fc.Status(ctx, id)
		return err == nil
	}, 60*time.Second, 200*time.Millisecond, "the account's workflow runs")
	if dueIn < 0 { // the overdue invoice's reminder goes first
		require.Eventually(t, func() bool {
			var sent int
			return conn.QueryRow(ctx, `SELECT count(*) FROM message_log WHERE customer_id = $1 AND status = 'sent'`, id).Scan(&sent) == nil && sent > 0
		}, 60*time.Second, 200*time.Millisecond, "the reminder sent")
	}
	for _, agent := range []string{"alice@example.com", "bob@example.com"} {
		got, err := fc.Reassign(ctx, id, flow.ReassignRequest{AgentEmail: agent, By: "manager@example.com"})
		require.NoError(t, err)
		require.Equal(t, agent, got)
	}
	var agent string
	require.NoError(t, conn.QueryRow(ctx, `SELECT u.email FROM customers c JOIN users u ON u.id = c.agent_id WHERE c.id = $1`, id).Scan(&agent))
	require.Equal(t, "bob@example.com", agent)
	recordHistory(t, info.Temporal, fmt.Sprintf("dunning/%d", id), out)
}
