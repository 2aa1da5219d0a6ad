package app

import (
	"context"
	"strconv"

	"recoup/store"
)

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// Change names accounts whose data changed in a way that matters to dunning.
type Change struct {
	ImportID    int64   // the accounts an import touched
	CustomerIDs []int64 // these accounts (a decision on a task, later payments, promises, disputes)
	AllOpen     bool    // every account with open items (`recoup dev` at start)
}

// Woken says what became of waking the accounts a change touched.
type Woken struct {
	Accounts   int    // accounts to wake
	WorkflowID string // the durable wake-up of an import; "" for a direct wake
	// Error says why the accounts could not be woken; the change itself is
	// committed, and the daily sweep wakes them.
	Error string
}

// Reached reports whether the one account a command changed was woken.
func (w Woken) Reached() bool { return w.Accounts == 1 && w.Error == "" }

// AccountsChanged is the one way a change that matters to dunning reaches
// the accounts' workflows: every entry point calls it once its change is
// committed (imports from the API, the CLI and the demo load, a closed
// escalation, `recoup dev` at start). An import's accounts are woken by a
// durable WakeAccounts workflow, so a large import neither holds the caller
// nor depends on this process staying up; named accounts are signalled
// directly. Waking an account twice is harmless: it evaluates again. Named
// accounts' credit limit thresholds are evaluated here; an import's by its
// WakeAccounts workflow, and every account's by the daily sweep.
func (a *App) AccountsChanged(ctx context.Context, ch Change) Woken {
	if ch.ImportID != 0 {
		return a.wakeImport(ctx, ch.ImportID)
	}
	ids := ch.CustomerIDs
	if ch.AllOpen {
		var err error
		if ids, err = a.store.CustomersWithOpenItems(ctx); err != nil {
			a.log.ErrorContext(ctx, "accounts with open items", "err", err)
			return Woken{Error: "could not list the accounts with open items: " + err.Error()}
		}
	}
	if len(ids) == 0 {
		return Woken{}
	}
	if !ch.AllOpen { // the sweep evaluates every account
		a.limitUseChanged(ctx, ids, false)
	}
	w := Woken{Accounts: len(ids)}
	if a.flow == nil {
		w.Error = "this process has no Temporal connection: dunning was not woken; the daily sweep wakes these accounts"
		return w
	}
	if _, err := a.flow.Wake(ctx, ids); err != nil {
		a.log.ErrorContext(ctx, "wake dunning", "accounts", len(ids), "err", err)
		w.Error = "Temporal did not take the wake-up (" + err.Error() + "); the daily sweep wakes these accounts"
	}
	return w
}

// wakeImport starts the durable wake-up the import owes Temporal (its
// outbox row was written with the import). When Temporal does not take it,
// the row stays owed and the worker's catch-up starts it within minutes of
// Temporal answering again.
func (a *App) wakeImport(ctx context.Context, importID int64) Woken {
	const later = "; the worker starts it within minutes once Temporal answers"
	n, err := a.store.CountTouchedCustomers(ctx, importID)
	if err != nil {
		a.log.ErrorContext(ctx, "accounts touched by import", "import", importID, "err", err)
		return Woken{Error: "could not count the accounts the import touched" + later}
	}
	if n == 0 {
		a.paid(ctx, store.OutboxImportWake, importID, 0)
		return Woken{}
	}
	if a.flow == nil {
		return Woken{Accounts: n, Error: "this process has no Temporal connection: the wake-up is queued" + later}
	}
	id, err := a.flow.StartWakeImport(ctx, importID)
	if err != nil {
		a.log.WarnContext(ctx, "wake dunning after import", "import", importID, "err", err)
		return Woken{Accounts: n, Error: "Temporal did not take the wake-up (" + err.Error() + "): it is queued" + later}
	}
	a.paid(ctx, store.OutboxImportWake, importID, 0)
	return Woken{Accounts: n, WorkflowID: id}
}
