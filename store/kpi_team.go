package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"recoup/money"
)

// The team figures of a period: what each person did, what was collected
// after it, and each agent's open portfolio at the period's end. Amounts stay
// in their currencies here; app converts them.

// CollectWindowDays is how long after an action a payment counts as collected by it.
const CollectWindowDays = 30

// TeamCount is how many actions of one kind a user did (UserID) or Recoup
// did for an agent's accounts (UserID the agent, 0 for accounts without one).
type TeamCount struct {
	UserID int64
	What   string // a task kind, "promise", or a channel (email, sms, voice)
	N      int
}

// TeamAmount is an amount in one currency attributed to a user.
type TeamAmount struct {
	UserID   int64
	Currency money.Currency
	Minor    int64
	Accounts int // the portfolio's accounts with something open (portfolio only)
}

// TeamUser names a user of the figures.
type TeamUser struct {
	ID          int64
	Email, Name string
}

// TeamData is the raw team figures of a period.
type TeamData struct {
	Actions   []TeamCount  // tasks closed (by kind) and promises made, by who did them
	Messages  []TeamCount  // dunning emails, texts and calls sent, by the accounts' agent
	Collected []TeamAmount // payments allocated within 30 days after an action, by who did it
	Portfolio []TeamAmount // open invoices at the end, by the accounts' agent
	Users     []TeamUser
}

// teamScope keeps the customers (alias c, entity e) of @entity inside the perimeter.
const teamScope = `(@entity::text = '' OR e.code = @entity::text) AND ` + perimeterClause

// teamActs is the personal actions done in [@start, @cut) on customers in
// scope: tasks closed as done and promises made, by the user the actor names
// (an API token's actor is "email (token n)"; the system closes tasks too,
// and is nobody). @only_user narrows to one person.
const teamActs = `acts AS (
    SELECT x.user_id, x.customer_id, x.what, x.at
    FROM (SELECT u.id AS user_id, t.customer_id, t.kind AS what, t.closed_at AS at
          FROM tasks t JOIN users u ON u.email = split_part(t.closed_by, ' ', 1)
          WHERE t.status = 'done' AND t.closed_at >= @start AND t.closed_at < @cut
          UNION ALL
          SELECT u.id, k.customer_id, 'promise', k.created_at
          FROM promises k JOIN users u ON u.email = split_part(k.created_by, ' ', 1)
          WHERE k.created_at >= @start AND k.created_at < @cut) x
    JOIN customers c ON c.id = x.customer_id
    JOIN entities e ON e.id = c.entity_id
    WHERE ` + teamScope + ` AND (@only_user::bigint IS NULL OR x.user_id = @only_user::bigint))`

const (
	teamActions = `WITH ` + teamActs + `
SELECT user_id, what, count(*)::int FROM acts GROUP BY 1, 2`

	// teamMessages: what dunning did on the planned channel or another
	// ('fallback'); contact tasks count as tasks when closed.
	teamMessages = `
SELECT coalesce(c.agent_id, 0), m.channel, count(*)::int
FROM message_log m
JOIN customers c ON c.id = m.customer_id
JOIN entities e ON e.id = c.entity_id
WHERE m.status IN ('sent', 'fallback') AND m.channel IN ('email', 'sms', 'voice')
  AND m.created_at >= @start AND m.created_at < @cut
  AND ` + teamScope + ` AND (@only_user::bigint IS NULL OR c.agent_id = @only_user::bigint)
GROUP BY 1, 2`

	// teamCollected: each payment of an account received from the day of an
	// action of the user on it to CollectWindowDays after, counted once per user, by
	// what it paid of the account's invoices; only payments received by the
	// end of the period and known then.
	teamCollected = `WITH ` + teamActs + `,
hits AS (
    SELECT DISTINCT a.user_id, p.id AS payment_id
    FROM acts a JOIN payments p ON p.customer_id = a.customer_id
    WHERE p.received_on BETWEEN (a.at AT TIME ZONE 'UTC')::date AND (a.at AT TIME ZONE 'UTC')::date + @window::int
      AND p.received_on <= @on::date AND p.created_at < @cut)
SELECT h.user_id, i.currency, sum(pa.amount_minor)::bigint, 0
FROM hits h
JOIN payment_allocations pa ON pa.payment_id = h.payment_id
JOIN invoices i ON i.id = pa.invoice_id
GROUP BY 1, 2`

	teamPortfolio = `
WITH ` + openAsOf + `
SELECT coalesce(c.agent_id, 0), i.currency, sum(a.open_minor)::bigint, count(DISTINCT c.id)::int
FROM asof a
JOIN invoices i ON i.id = a.invoice_id AND i.type = 'invoice'
JOIN customers c ON c.id = i.customer_id
JOIN entities e ON e.id = c.entity_id
WHERE a.open_minor > 0 AND ` + teamScope + ` AND (@only_user::bigint IS NULL OR c.agent_id = @only_user::bigint)
GROUP BY 1, 2
ORDER BY 1, 2`

	// teamPortfolioSnapshot is teamPortfolio over the snapshot of @on: the
	// buckets of a customer's row add up its open invoices (credits apart),
	// and a row per customer and currency counts it once in each currency,
	// as count(DISTINCT) does per group.
	teamPortfolioSnapshot = teamPortfolioSnapshotColumns + `
FROM kpi_snapshots k
JOIN customers c ON c.id = k.customer_id
JOIN entities e ON e.id = c.entity_id
WHERE k.day = @on::date AND k.b0 + k.b1 + k.b2 + k.b3 + k.b4 + k.b5 > 0
  AND ` + teamScope + ` AND (@only_user::bigint IS NULL OR c.agent_id = @only_user::bigint)
GROUP BY 1, 2
ORDER BY 1, 2`

	// teamPortfolioSnapshotPortfolio looks an agent's or a sales rep's
	// customers up in the day's rows, as agingSnapshotPortfolio.
	teamPortfolioSnapshotPortfolio = teamPortfolioSnapshotColumns + `
FROM customers c
JOIN entities e ON e.id = c.entity_id
CROSS JOIN LATERAL (SELECT * FROM kpi_snapshots k WHERE k.day = @on::date AND k.customer_id = c.id OFFSET 0) k
WHERE k.b0 + k.b1 + k.b2 + k.b3 + k.b4 + k.b5 > 0
  AND ` + teamScope + ` AND (@only_user::bigint IS NULL OR c.agent_id = @only_user::bigint)
GROUP BY 1, 2
ORDER BY 1, 2`

	// teamPortfolioGroups is teamPortfolioSnapshot for whole entities, from
	// the day's sums by entity and agent.
	teamPortfolioGroups = `
SELECT g.agent_id, g.currency, sum(g.open_minor)::bigint, sum(g.accounts)::int
FROM kpi_snapshot_portfolio g
WHERE g.day = @on::date AND ` + entityScope + ` AND (@only_user::bigint IS NULL OR g.agent_id = @only_user::bigint)
GROUP BY 1, 2
ORDER BY 1, 2`

	teamPortfolioSnapshotColumns = `
SELECT coalesce(c.agent_id, 0), k.currency, sum(k.b0 + k.b1 + k.b2 + k.b3 + k.b4 + k.b5)::bigint, count(*)::int`

	// teamAgents: every agent of an account in scope has a row, even with nothing to show.
	// It walks customers_agent_idx from one agent to the next (a few dozen
	// steps) rather than reading every customer.
	teamAgents = `
WITH RECURSIVE agents (id) AS (
    (SELECT c.agent_id FROM customers c JOIN entities e ON e.id = c.entity_id
     WHERE c.agent_id IS NOT NULL AND ` + teamAgentScope + ` ORDER BY c.agent_id LIMIT 1)
    UNION ALL
    SELECT (SELECT c.agent_id FROM customers c JOIN entities e ON e.id = c.entity_id
            WHERE c.agent_id > a.id AND ` + teamAgentScope + ` ORDER BY c.agent_id LIMIT 1)
    FROM agents a WHERE a.id IS NOT NULL)
SELECT id FROM agents WHERE id IS NOT NULL`
	teamAgentScope = teamScope + ` AND (@only_user::bigint IS NULL OR c.agent_id = @only_user::bigint)`

	teamUsers = `SELECT id, email, name FROM users WHERE id = ANY (@ids::bigint[]) ORDER BY email`
)

// TeamFigures reads the team figures of the period from (a date, UTC) to
// f.On inside per, of one user when onlyUser is set, and names the users
// they concern, the agents of the accounts in scope and the users ids.
func (s *Store) TeamFigures(ctx context.Context, per Perimeter, f KPIFilter, from time.Time, onlyUser *int64, ids []int64) (TeamData, error) {
	args := f.args(per, pgx.NamedArgs{"start": from, "only_user": onlyUser, "window": CollectWindowDays})
	var d TeamData
	var err error
	counts := func(sql string) ([]TeamCount, error) {
		rows, err := s.Pool.Query(ctx, sql, args)
		if err != nil {
			return nil, err
		}
		return pgx.CollectRows(rows, func(r pgx.CollectableRow) (TeamCount, error) {
			var c TeamCount
			return c, r.Scan(&c.UserID, &c.What, &c.N)
		})
	}
	amounts := func(sql string) ([]TeamAmount, error) {
		rows, err := s.Pool.Query(ctx, sql, args)
		if err != nil {
			return nil, err
		}
		return pgx.CollectRows(rows, func(r pgx.CollectableRow) (TeamAmount, error) {
			var a TeamAmount
			var cur string
			if err := r.Scan(&a.UserID, &cur, &a.Minor, &a.Accounts); err != nil {
				return a, err
			}
			a.Currency, err = money.ParseCurrency(cur)
			return a, err
		})
	}
	if d.Actions, err = counts(teamActions); err != nil {
		return d, err
	}
	if d.Messages, err = counts(teamMessages); err != nil {
		return d, err
	}
	if d.Collected, err = amounts(teamCollected); err != nil {
		return d, err
	}
	portfolio := teamPortfolio
	if ok, err := s.snapshot(ctx, f); err != nil {
		return d, err
	} else if ok {
		switch {
		case per.byEntity():
			portfolio = teamPortfolioGroups
		case per.portfolio():
			portfolio = teamPortfolioSnapshotPortfolio
		default:
			portfolio = teamPortfolioSnapshot
		}
	}
	if d.Portfolio, err = amounts(portfolio); err != nil {
		return d, err
	}
	rows, err := s.Pool.Query(ctx, teamAgents, args)
	if err != nil {
		return d, err
	}
	agents, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return d, err
	}
	ids = append(ids, agents...)
	for _, c := range append(d.Actions, d.Messages...) {
		ids = append(ids, c.UserID)
	}
	for _, a := range append(d.Collected, d.Portfolio...) {
		ids = append(ids, a.UserID)
	}
	rows, err = s.Pool.Query(ctx, teamUsers, pgx.NamedArgs{"ids": ids})
	if err != nil {
		return d, err
	}
	d.Users, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (TeamUser, error) {
		var u TeamUser
		return u, r.Scan(&u.ID, &u.Email, &u.Name)
	})
	return d, err
}
