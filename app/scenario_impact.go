package app

import (
	"cmp"
	"context"
	"errors"
	"maps"
	"slices"
	"sync"
	"time"

	"recoup/auth"
	"recoup/domain"
	"recoup/dunning"
)

// ImpactDays is how far ahead a scenario's impact looks.
const ImpactDays = 14

// maxImpactAccounts bounds the accounts read for one impact: each is one
// snapshot read and two fourteen-day plans. Beyond it the answer says it is
// a sample (Sampled < AccountsWithOpenItems).
const maxImpactAccounts = 5000

// impactWorkers is how many snapshots are read at once.
const impactWorkers = 8

// ScenarioImpact is what saving a proposed version would change, before saving.
type ScenarioImpact struct {
	ScenarioID      int64 `json:"scenario_id"`
	CurrentVersion  int   `json:"current_version"`
	Days            int   `json:"days"`
	Accounts        int   `json:"accounts"`         // running accounts with open items on this scenario
	Invoices        int   `json:"invoices"`         // their open invoices on it
	ChangedAccounts int   `json:"changed_accounts"` // whose next Days of actions differ
	ChangedInvoices int   `json:"changed_invoices"` // invoices in those differing actions
	// AccountsWithOpenItems is every account dunning runs for; Sampled how
	// many of them were read (all, unless more than the bound).
	AccountsWithOpenItems int           `json:"accounts_with_open_items"`
	Sampled               int           `json:"sampled"`
	Current               []ImpactCount `json:"current"`  // by day and channel
	Proposed              []ImpactCount `json:"proposed"` // by day and channel
}

// ImpactCount is how many actions go out on one local day on one channel.
type ImpactCount struct {
	Date    dunning.Date   `json:"date"`
	Channel domain.Channel `json:"channel"`
	Count   int            `json:"count"`
}

// ScenarioImpact answers what the proposed version (the body of a scenario
// update) would change: the accounts and invoices running on the scenario,
// and the actions of the next 14 days under the current and the proposed
// version, by day and channel. It runs the pure planner (statement rules)
// over each account's snapshot, read by the workflow's own loader. Each plan
// starts from where the current version places the account's invoices now
// (steps whose time has passed count as done), not from the workflows' live
// state: a visibility fan-out over thousands of workflows is not what a
// form should wait for.
func (a *App) ScenarioImpact(ctx context.Context, who domain.Principal, id int64, req ScenarioRequest) (ScenarioImpact, error) {
	out := ScenarioImpact{ScenarioID: id, Days: ImpactDays, Current: []ImpactCount{}, Proposed: []ImpactCount{}}
	if err := allow(who, auth.ScenariosWrite); err != nil {
		return out, err
	}
	// The proposal as saving it would store it: validated, step ids kept.
	cur, proposal, err := a.nextVersion(ctx, id, req)
	if err != nil {
		return out, err
	}
	out.CurrentVersion = cur.Version
	ids, err := a.store.CustomersWithOpenItems(ctx)
	if err != nil {
		return out, err
	}
	out.AccountsWithOpenItems = len(ids)
	if len(ids) > maxImpactAccounts {
		ids = ids[:maxImpactAccounts]
	}
	out.Sampled = len(ids)

	now := time.Now().UTC()
	var (
		mu                sync.Mutex
		wg                sync.WaitGroup
		errs              []error
		current, proposed = map[ImpactCount]int{}, map[ImpactCount]int{}
	)
	sem := make(chan struct{}, impactWorkers)
	for _, cid := range ids {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			acct, _, err := a.store.AccountSnapshot(ctx, cid)
			if err != nil && domain.ErrorCode(err) != domain.CodeNotFound { // not found: deleted meanwhile
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
			if err != nil {
				return
			}
			sc, on := acct.Scenarios[id]
			invoices := 0
			for _, it := range acct.Items {
				if it.ScenarioID == id {
					invoices++
				}
			}
			if !on || invoices == 0 { // not on it (or only its credit hold's scenario)
				return
			}
			acct.Rules = dunning.RulesStatement
			start := dunning.PlanAt(acct, dunning.State{}, now).State // where the current version stands
			before := planAhead(acct, start, now)
			next := sc
			next.Name, next.Steps, next.Settings, next.Version = req.Name, proposal.Steps, proposal.Settings, sc.Version+1
			proposedAcct := acct
			proposedAcct.Scenarios = maps.Clone(acct.Scenarios)
			proposedAcct.Scenarios[id] = next
			after := planAhead(proposedAcct, start, now)

			mu.Lock()
			defer mu.Unlock()
			out.Accounts++
			out.Invoices += invoices
			if changed := changedInvoices(before, after, acct.Today); len(changed) > 0 {
				out.ChangedAccounts++
				out.ChangedInvoices += len(changed)
			}
			count(current, before, acct)
			count(proposed, after, acct)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return out, err
	}
	out.Current, out.Proposed = sortedCounts(current), sortedCounts(proposed)
	return out, nil
}

// planAhead runs the planner as the workflow would for ImpactDays from now,
// waking at each planned time, and answers every action.
func planAhead(acct dunning.Account, st dunning.State, now time.Time) []dunning.Action {
	var out []dunning.Action
	until := now.AddDate(0, 0, ImpactDays)
	// The bound guards against a planner that does not move forward.
	for t, n := now, 0; !t.IsZero() && t.Before(until) && n < 10_000; n++ {
		p := dunning.PlanAt(acct, st, t)
		for _, a := range p.Due {
			if a.At.Before(until) {
				out = append(out, a)
			}
		}
		st = p.State
		acct = dunning.ApplyEscalations(acct, p.Due)
		if !p.Next.After(t) {
			break
		}
		t = p.Next
	}
	return out
}

// changedInvoices lists the invoices whose actions differ between two plans
// (by day, channel and template).
func changedInvoices(before, after []dunning.Action, today func(time.Time) dunning.Date) []int64 {
	key := func(a dunning.Action, inv int64) string {
		return today(a.At).String() + " " + string(a.Channel) + " " + a.Step.Template + " " + itoa(inv)
	}
	seen := map[string]int{}
	for _, a := range before {
		for _, inv := range a.InvoiceIDs {
			seen[key(a, inv)]++
		}
	}
	for _, a := range after {
		for _, inv := range a.InvoiceIDs {
			seen[key(a, inv)]--
		}
	}
	var changed []int64
	for _, plans := range [][]dunning.Action{before, after} {
		for _, a := range plans {
			for _, inv := range a.InvoiceIDs {
				if seen[key(a, inv)] != 0 && !slices.Contains(changed, inv) {
					changed = append(changed, inv)
				}
			}
		}
	}
	return changed
}

func count(into map[ImpactCount]int, plan []dunning.Action, acct dunning.Account) {
	for _, a := range plan {
		into[ImpactCount{Date: acct.Today(a.At), Channel: a.Channel}]++
	}
}

func sortedCounts(m map[ImpactCount]int) []ImpactCount {
	out := make([]ImpactCount, 0, len(m))
	for k, n := range m {
		k.Count = n
		out = append(out, k)
	}
	slices.SortFunc(out, func(x, y ImpactCount) int {
		if c := x.Date.Compare(y.Date); c != 0 {
			return c
		}
		return cmp.Compare(x.Channel, y.Channel)
	})
	return out
}
