package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"recoup/domain"
	"recoup/importer"
	"recoup/money"
	"recoup/store"
	"recoup/store/storetest"
)

type eventsBundle struct {
	pool *pgxpool.Pool
	st   *store.Store
	f    *storetest.Factory
}

func eventsSetup(t *testing.T) eventsBundle {
	t.Helper()
	pool := storetest.NewPool(t)
	return eventsBundle{pool: pool, st: &store.Store{Pool: pool}, f: storetest.NewFactory(pool)}
}

// after reads every event after id, in the feed's order, as the system sees them.
func (b eventsBundle) after(t *testing.T, id int64) []store.Event {
	t.Helper()
	page, err := b.st.Events(context.Background(), store.Everything, store.EventQuery{After: id, Limit: 10_000})
	require.NoError(t, err)
	return page.Events
}

func (b eventsBundle) last(t *testing.T) int64 {
	t.Helper()
	id, err := b.st.LastEventID(context.Background())
	require.NoError(t, err)
	return id
}

func (b eventsBundle) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	_, err := b.pool.Exec(context.Background(), sql, args...)
	require.NoError(t, err)
}

func types(events []store.Event) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.Type
	}
	return out
}

func TestEachChangeWritesItsEvents(t *testing.T) {
	t.Parallel()
	b := eventsSetup(t)
	agent := b.f.User(t, storetest.User{Role: domain.RoleAgent})
	other := b.f.User(t, storetest.User{Role: domain.RoleAgent})
	cust := b.f.Customer(t, storetest.Customer{ExternalID: "ACME", Agent: agent})
	inv := b.f.Invoice(t, storetest.Invoice{Customer: cust, ExternalID: "INV-EXT-1", Number: "F-001"})

	created := b.after(t, 0)
	require.Equal(t, []string{"invoice.created"}, types(created))
	e := created[0]
	require.Equal(t, inv, *e.InvoiceID)
	require.Equal(t, "INV-EXT-1", *e.InvoiceExternalID)
	require.Equal(t, cust, *e.CustomerID)
	require.Equal(t, "ACME", *e.CustomerExternalID)
	require.JSONEq(t, `{"version": 1, "number": "F-001", "type": "invoice", "issue_date": "2026-01-02", "due_date": "2026-02-01",
		"currency": "EUR", "amount_minor": 10000, "open_minor": 10000, "status": "open"}`, string(e.Payload))

	steps := []struct {
		name string
		sql  string
		args []any
		want []string
	}{
		{"a due date moved", `UPDATE invoices SET due_date = due_date + 10 WHERE id = $1`, []any{inv}, []string{"invoice.updated"}},
		{"nothing changed", `UPDATE invoices SET updated_at = now() WHERE id = $1`, []any{inv}, nil},
		{"disputed", `UPDATE invoices SET status = 'disputed' WHERE id = $1`, []any{inv}, []string{"invoice.disputed"}},
		{"paid", `UPDATE invoices SET status = 'paid', open_minor = 0 WHERE id = $1`, []any{inv}, []string{"invoice.paid"}},
		{"credit hold", `UPDATE customers SET on_hold = true WHERE id = $1`, []any{cust}, []string{"customer.credit_hold"}},
		{"released and reassigned at once", `UPDATE customers SET on_hold = false, agent_id = $2 WHERE id = $1`, []any{cust, other},
			[]string{"customer.released", "customer.reassigned"}},
		{"a task", `INSERT INTO tasks (key, customer_id, kind, assignee_role, invoice_ids, due_at) VALUES ('k1', $1, 'call', 'agent', '{}', now())`,
			[]any{cust}, []string{"task.created"}},
		{"the task done", `UPDATE tasks SET status = 'done', outcome = 'reached' WHERE key = 'k1'`, nil, []string{"task.completed"}},
		{"a reminder claimed", `INSERT INTO message_log (key, customer_id, workflow_id, scenario_id, scenario_version, step_index, channel, invoice_ids, status)
			VALUES ('m1', $1, 'w', 0, 1, 0, 'email', ARRAY[$2::bigint], 'sending')`, []any{cust, inv}, nil},
		{"the reminder sent", `UPDATE message_log SET status = 'sent' WHERE key = 'm1'`, nil, []string{"reminder.sent"}},
		{"another failed", `INSERT INTO message_log (key, customer_id, workflow_id, scenario_id, scenario_version, step_index, channel, invoice_ids, status)
			VALUES ('m2', $1, 'w', 0, 1, 1, 'sms', '{}', 'failed')`, []any{cust}, []string{"reminder.failed"}},
	}
	for _, s := range steps {
		before := b.last(t)
		b.exec(t, s.sql, s.args...)
		require.Equal(t, s.want, nilIfEmpty(types(b.after(t, before))), s.name)
	}

	var paid store.Event
	for _, e := range b.after(t, 0) {
		if e.Type == "invoice.paid" {
			paid = e
		}
	}
	require.JSONEq(t, `{"version": 1, "number": "F-001", "type": "invoice", "issue_date": "2026-01-02", "due_date": "2026-02-11",
		"currency": "EUR", "amount_minor": 10000, "open_minor": 0, "status": "paid",
		"previous_status": "disputed", "previous_open_minor": 10000}`, string(paid.Payload), "an update's payload: the row now and before")

	before := b.last(t)
	b.f.Payment(t, storetest.Payment{Customer: cust, Amount: money.Money{Minor: 500, Currency: money.MustCurrency("EUR")}})
	got := b.after(t, before)
	require.Equal(t, []string{"payment.received"}, types(got))
	require.Contains(t, string(got[0].Payload), `"amount_minor": 500`)

	var sent store.Event
	for _, e := range b.after(t, 0) {
		if e.Type == "reminder.sent" {
			sent = e
		}
	}
	require.JSONEq(t, `{"version": 1, "key": "m1", "channel": "email", "template": "", "scenario_id": 0, "scenario_version": 1,
		"step_index": 0, "repeat": 0, "invoice_ids": [`+itoa(inv)+`], "detail": ""}`, string(sent.Payload))
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// failingReader gives a good header and row, then breaks, as a connection lost mid-upload.
type failingReader struct{ r io.Reader }

func (f *failingReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if errors.Is(err, io.EOF) {
		return n, errors.New("connection reset")
	}
	return n, err
}

func TestEventsCommitWithTheirChangeOrNotAtAll(t *testing.T) {
	t.Parallel()
	b := eventsSetup(t)
	cust := b.f.Customer(t, storetest.Customer{ExternalID: "C1"})
	ctx := context.Background()
	start := b.last(t)

	// A transaction rolled back leaves no event, and no id is used up.
	tx, err := b.pool.Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `UPDATE customers SET on_hold = true WHERE id = $1`, cust)
	require.NoError(t, err)
	var written int
	var first *int64
	require.NoError(t, tx.QueryRow(ctx, `SELECT count(*), (SELECT first_id FROM event_commits WHERE xid = pg_current_xact_id())
		FROM events WHERE xid = pg_current_xact_id()`).Scan(&written, &first))
	require.Equal(t, 1, written, "written in the transaction")
	require.Nil(t, first, "numbered only at its commit")
	require.NoError(t, tx.Rollback(ctx))
	require.Empty(t, b.after(t, start))

	im := importer.New(b.pool)
	file := "external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount\n" +
		"I1,C1,F-1,invoice,2026-09-01,2026-10-01,EUR,100.00,100.00\nI2,C1,F-2,invoice,2026-09-01,2026-10-01,EUR,50.00,50.00\n"
	_, err = im.Import(ctx, importer.Invoices, importer.CSV, &failingReader{strings.NewReader(file)}, importer.Source{Name: "t", Actor: "t"})
	require.Error(t, err, "the import fails")
	require.Empty(t, b.after(t, start), "a failed import emits nothing")

	res, err := im.Import(ctx, importer.Invoices, importer.CSV, strings.NewReader(file), importer.Source{Name: "t", Actor: "t"})
	require.NoError(t, err)
	got := b.after(t, start)
	require.Equal(t, []string{"invoice.created", "invoice.created", "import.completed"}, types(got))
	require.Equal(t, []int64{start + 1, start + 2, start + 3}, []int64{got[0].ID, got[1].ID, got[2].ID}, "numbered without holes")
	require.Nil(t, got[2].CustomerID)
	require.JSONEq(t, `{"version": 1, "import_id": `+itoa(res.ImportID)+`, "kind": "invoices", "source": "t", "inserted": 2,
		"updated": 0, "unchanged": 0, "rejected": 0}`, string(got[2].Payload))
}

// Many writers commit in an order unrelated to the order they wrote in; a
// reader polling all the while must see ids strictly increasing, and at the
// end every event, none skipped.
func TestTheFeedHasNoGapsUnderConcurrentWriters(t *testing.T) {
	t.Parallel()
	b := eventsSetup(t)
	const writers, changes = 8, 40
	custs := make([]int64, writers)
	for i := range custs {
		custs[i] = b.f.Customer(t, storetest.Customer{})
	}
	start := b.last(t)
	ctx := context.Background()

	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range changes {
				err := pgx.BeginFunc(ctx, b.pool, func(tx pgx.Tx) error {
					if _, err := tx.Exec(ctx, `UPDATE customers SET on_hold = NOT on_hold WHERE id = $1`, custs[w]); err != nil {
						return err
					}
					// Hold the transaction open a varying while, so commits overtake each other.
					time.Sleep(time.Duration((w*7+i*3)%5) * time.Millisecond)
					return nil
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()

	var seen []int64
	pos := start
	read := func() {
		page, err := b.st.Events(ctx, store.Everything, store.EventQuery{After: pos, Limit: 50})
		require.NoError(t, err)
		for _, e := range page.Events {
			require.Greater(t, e.ID, pos, "ids only go up")
			pos = e.ID
			seen = append(seen, e.ID)
		}
	}
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		read()
	}
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	for len(seen) < writers*changes {
		before := len(seen)
		read()
		if len(seen) == before {
			break
		}
	}
	require.Len(t, seen, writers*changes, "every event was read once")
	for i, id := range seen {
		require.Equal(t, start+int64(i)+1, id, "none skipped")
	}
	require.Equal(t, start+writers*changes, b.last(t), "ids without holes")
}

func TestTheFeedKeepsToThePerimeter(t *testing.T) {
	t.Parallel()
	b := eventsSetup(t)
	alice := b.f.User(t, storetest.User{Role: domain.RoleAgent})
	bob := b.f.User(t, storetest.User{Role: domain.RoleAgent})
	hers := b.f.Customer(t, storetest.Customer{Agent: alice})
	b.f.Customer(t, storetest.Customer{Agent: bob})
	b.exec(t, `UPDATE customers SET on_hold = true`)
	b.exec(t, `INSERT INTO imports (kind, source) VALUES ('invoices', 't')`)
	b.exec(t, `UPDATE imports SET finished_at = now() WHERE finished_at IS NULL`)

	ctx := context.Background()
	everything, err := b.st.Events(ctx, store.Everything, store.EventQuery{Limit: 100})
	require.NoError(t, err)
	all := everything.Events
	require.Equal(t, []string{"customer.credit_hold", "customer.credit_hold", "import.completed"}, types(all))

	agent := store.PerimeterOf(domain.Principal{UserID: alice, Role: domain.RoleAgent, AllEntities: true})
	page, err := b.st.Events(ctx, agent, store.EventQuery{Limit: 100})
	require.NoError(t, err)
	mine := page.Events
	require.Equal(t, all[2].ID, page.Next, "read to the end, though the last was not hers")
	require.Len(t, mine, 1, "her customer's event only; an import is for those who see every customer")
	require.Equal(t, hers, *mine[0].CustomerID)

	manager := store.PerimeterOf(domain.Principal{UserID: bob + 100, Role: domain.RoleCreditManager, AllEntities: true})
	every, err := b.st.Events(ctx, manager, store.EventQuery{Limit: 100, Types: []string{"import.completed"}})
	require.NoError(t, err)
	require.Equal(t, []string{"import.completed"}, types(every.Events), "a manager of every entity sees imports; types filter")

	one, err := b.st.Events(ctx, store.Everything, store.EventQuery{After: all[0].ID, Limit: 1})
	require.NoError(t, err)
	require.Equal(t, []int64{all[1].ID}, []int64{one.Events[0].ID}, "after and limit")
	require.Equal(t, all[1].ID, one.Next)
	require.True(t, one.More)
}

// A case's events carry its invoices (payload version 2): a dispute's
// case.opened has them although they are written after the case row, in the
// same transaction; its decision too; a request without invoices has none.
func TestCaseEventsCarryTheCaseInvoices(t *testing.T) {
	t.Parallel()
	b := eventsSetup(t)
	ctx := context.Background()
	cust := b.f.Customer(t, storetest.Customer{ExternalID: "ACME"})
	first := b.f.Invoice(t, storetest.Invoice{Customer: cust, ExternalID: "INV-A"})
	second := b.f.Invoice(t, storetest.Invoice{Customer: cust, ExternalID: "INV-B"})
	invoices := `[{"id": ` + itoa(first) + `, "external_id": "INV-A"}, {"id": ` + itoa(second) + `, "external_id": "INV-B"}]`

	before := b.last(t)
	k, err := b.st.OpenCase(ctx, store.Everything, store.NewCase{Type: domain.CaseDispute, CustomerID: cust, Reason: "price",
		Invoices: []store.NewCaseInvoice{{InvoiceID: second}, {InvoiceID: first}}, Source: "agent", Actor: "alice@recoup.example"})
	require.NoError(t, err)
	opened := b.after(t, before)
	require.Contains(t, types(opened), "case.opened")
	for _, e := range opened {
		if e.Type == "case.opened" {
			require.Equal(t, k.ID, *e.CaseID)
			require.JSONEq(t, `{"version": 2, "case_type": "dispute", "status": "open", "reason": "price", "department": "`+
				string(k.Department)+`", "owner_id": null, "source": "agent", "opened_by": "alice@recoup.example", "invoices": `+
				invoices+`}`, string(e.Payload))
		}
	}

	before = b.last(t)
	_, err = b.st.DecideCase(ctx, store.CaseDecision{CaseID: k.ID, Decision: domain.DecisionRejected, Reason: "no", By: "cm@recoup.example"})
	require.NoError(t, err)
	decided := b.after(t, before)
	require.Contains(t, types(decided), "case.decided")
	for _, e := range decided {
		if e.Type == "case.decided" {
			var p struct {
				Version  int             `json:"version"`
				Decision string          `json:"decision"`
				Invoices json.RawMessage `json:"invoices"`
			}
			require.NoError(t, json.Unmarshal(e.Payload, &p))
			require.Equal(t, 2, p.Version)
			require.Equal(t, "rejected", p.Decision)
			require.JSONEq(t, invoices, string(p.Invoices))
		}
	}

	before = b.last(t)
	_, err = b.st.OpenCase(ctx, store.Everything, store.NewCase{Type: domain.CaseCreditLimitRequest, CustomerID: cust,
		Details: json.RawMessage(`{"new_limit_minor": 900000, "justification": "new contract"}`), Source: "sales", Actor: "sam@recoup.example"})
	require.NoError(t, err)
	request := b.after(t, before)
	require.Equal(t, []string{"case.opened"}, types(request))
	require.Contains(t, string(request[0].Payload), `"invoices": []`)
}

// Retention deletes events older than its limit, oldest first, but never
// one an active subscription has not delivered (a disabled one holds nothing
// back); a reader asking from before what was deleted is told so (410) with
// where to start again, never handed what follows as if nothing was missing.
func TestRetentionDeletesOnlyOldDeliveredEventsAndTheFeedSaysSo(t *testing.T) {
	t.Parallel()
	b := eventsSetup(t)
	ctx := context.Background()
	cust := b.f.Customer(t, storetest.Customer{})
	toggle := func() int64 {
		b.exec(t, `UPDATE customers SET on_hold = NOT on_hold WHERE id = $1`, cust)
		return b.last(t)
	}
	start := b.last(t)
	one, two, three := toggle(), toggle(), toggle()
	// The first two are 100 days old.
	b.exec(t, `UPDATE events e SET occurred_at = now() - interval '100 days' FROM event_commits k
		WHERE k.xid = e.xid AND k.last_id <= $1`, two)
	active, err := b.st.CreateWebhook(ctx, store.Webhook{URL: "https://erp.example/in", Secret: "whsec_x"}, "test")
	require.NoError(t, err)
	_, err = b.st.RewindWebhook(ctx, active.ID, one, "test") // delivered up to the first
	require.NoError(t, err)
	off, err := b.st.CreateWebhook(ctx, store.Webhook{URL: "https://bi.example/in", Secret: "whsec_y"}, "test")
	require.NoError(t, err)
	_, err = b.st.RewindWebhook(ctx, off.ID, start, "test")
	require.NoError(t, err)
	_, err = b.st.StopWebhook(ctx, off.ID, store.WebhookDisabled, "off")
	require.NoError(t, err)
	limit := time.Now().AddDate(0, 0, -90)

	deleted, through, err := b.st.DeleteOldEvents(ctx, limit)
	require.NoError(t, err)
	require.Equal(t, []int64{1, one}, []int64{deleted, through}, "the old one delivered; the second waits for the subscription")

	_, err = b.st.Events(ctx, store.Everything, store.EventQuery{After: start, Limit: 100})
	require.Equal(t, domain.CodeGone, domain.ErrorCode(err))
	require.ErrorContains(t, err, "events "+itoa(start+1)+" to "+itoa(one)+" were deleted by retention")
	require.ErrorContains(t, err, "read from after="+itoa(one))
	page, err := b.st.Events(ctx, store.Everything, store.EventQuery{After: one, Limit: 100})
	require.NoError(t, err)
	require.Equal(t, []int64{two, three}, eventIDs(page.Events))

	moved, err := b.st.AdvanceWebhook(ctx, active.ID, active.CursorVersion+1, three)
	require.NoError(t, err)
	require.True(t, moved)
	deleted, through, err = b.st.DeleteOldEvents(ctx, limit)
	require.NoError(t, err)
	require.Equal(t, []int64{1, two}, []int64{deleted, through}, "delivered now; the third is recent")
	deleted, through, err = b.st.DeleteOldEvents(ctx, limit)
	require.NoError(t, err)
	require.Equal(t, []int64{0, two}, []int64{deleted, through}, "nothing more")

	// Everything deleted: the feed's top and a new subscription's start stay where they were.
	b.exec(t, `UPDATE events SET occurred_at = now() - interval '100 days'`)
	_, through, err = b.st.DeleteOldEvents(ctx, limit)
	require.NoError(t, err)
	require.Equal(t, three, through)
	require.Equal(t, three, b.last(t))
	fresh, err := b.st.CreateWebhook(ctx, store.Webhook{URL: "https://crm.example/in", Secret: "whsec_z"}, "test")
	require.NoError(t, err)
	require.Equal(t, three, fresh.LastDeliveredID)
	four := toggle()
	page, err = b.st.Events(ctx, store.Everything, store.EventQuery{After: three, Limit: 100})
	require.NoError(t, err)
	require.Equal(t, []int64{four}, eventIDs(page.Events), "numbering goes on")
}

func eventIDs(events []store.Event) []int64 {
	ids := make([]int64, len(events))
	for i, e := range events {
		ids[i] = e.ID
	}
	return ids
}

// A transaction that commits events announces it once (not once per row),
// with its last id, on store.ChannelEvent; one that writes none, or rolls
// back, announces nothing.
func TestACommitOfEventsIsAnnouncedOnce(t *testing.T) {
	t.Parallel()
	b := eventsSetup(t)
	ctx := context.Background()
	cust := b.f.Customer(t, storetest.Customer{})
	inv := b.f.Invoice(t, storetest.Invoice{Customer: cust})
	conn, err := b.pool.Acquire(ctx)
	require.NoError(t, err)
	defer conn.Release()
	_, err = conn.Exec(ctx, "LISTEN "+store.ChannelEvent)
	require.NoError(t, err)

	tx, err := b.pool.Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `UPDATE customers SET on_hold = true WHERE id = $1`, cust)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `UPDATE invoices SET due_date = due_date + 1 WHERE id = $1`, inv)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `UPDATE invoices SET due_date = due_date + 1 WHERE id = $1`, inv)
	require.NoError(t, err)
	require.NoError(t, tx.Commit(ctx))
	last := b.last(t)
	require.Len(t, b.after(t, last-3), 3, "three events in the transaction")
	b.exec(t, `UPDATE customers SET name = name WHERE id = $1`, cust) // no event
	tx, err = b.pool.Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `UPDATE customers SET on_hold = false WHERE id = $1`, cust)
	require.NoError(t, err)
	require.NoError(t, tx.Rollback(ctx))

	var got []string
	for {
		wctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
		n, err := conn.Conn().WaitForNotification(wctx)
		cancel()
		if err != nil {
			break
		}
		got = append(got, n.Payload)
	}
	require.Equal(t, []string{itoa(last)}, got)
}

// An invoice.created event keeps its payload's fields typed and renders
// them when read (migration 00046): the feed must hand on, byte for byte,
// the text row_to_json gave when the payload was stored as json (00045),
// numbers that need escaping included; the fields are the invoice's at its
// insert, not later; and one statement's events are numbered in id order.
func TestInvoiceCreatedPayloadIsTheStoredJSONText(t *testing.T) {
	t.Parallel()
	b := eventsSetup(t)
	ctx := context.Background()
	cust := b.f.Customer(t, storetest.Customer{ExternalID: "C\"1"})
	start := b.last(t)
	var run int64
	require.NoError(t, b.pool.QueryRow(ctx, `INSERT INTO imports (kind, source) VALUES ('invoices', 't') RETURNING id`).Scan(&run))
	numbers := []string{"F-1", `F-"2"\x`, "F-3\x01\n\tü€", "F-4"}
	rows, err := b.pool.Query(ctx, `
INSERT INTO invoices (external_id, customer_id, number, type, issue_date, due_date, currency,
                      amount_minor, erp_open_minor, erp_import_id, open_minor, status)
SELECT 'X' || i, $1, n, CASE WHEN i = 2 THEN 'credit_note' ELSE 'invoice' END, date '2026-01-02' + i::int, date '2026-02-01' + i::int,
       'EUR', 1000 * i, 100 * i, $2, 100 * i, CASE WHEN i = 4 THEN 'paid' ELSE 'open' END
FROM unnest($3::text[]) WITH ORDINALITY AS u(n, i) ORDER BY i
RETURNING id, (SELECT row_to_json(p)::text FROM (SELECT 1 AS version, number, type, issue_date, due_date, currency,
                                                        amount_minor, open_minor, status) p)`, cust, run, numbers)
	require.NoError(t, err)
	type stored struct {
		id   int64
		text string
	}
	want, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (stored, error) {
		var s stored
		return s, r.Scan(&s.id, &s.text)
	})
	require.NoError(t, err)
	require.Len(t, want, len(numbers))
	b.exec(t, `UPDATE invoices SET number = number || '-changed', status = 'disputed' WHERE customer_id = $1`, cust)

	var created []store.Event
	for _, e := range b.after(t, start) {
		if e.Type == "invoice.created" {
			created = append(created, e)
		}
	}
	require.Len(t, created, len(numbers))
	for i, e := range created {
		require.Equal(t, want[i].id, *e.InvoiceID, "in id order")
		require.Equal(t, want[i].text, string(e.Payload), "the text of the json payload, byte for byte")
		require.Equal(t, `C"1`, *e.CustomerExternalID)
		var p struct{ Number string }
		require.NoError(t, json.Unmarshal(e.Payload, &p))
		require.Equal(t, numbers[i], p.Number)
	}
	require.Equal(t, created[0].ID+3, created[3].ID, "numbered without holes")

	// Exactly one of the two payloads.
	_, err = b.pool.Exec(ctx, `INSERT INTO events (ordinal, type, payload) VALUES (1, 'x', NULL)`)
	require.Error(t, err)
}
