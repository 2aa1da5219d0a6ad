package app

import (
	"context"
	"slices"
	"time"

	"recoup/domain"
	"recoup/dunning"
	"recoup/money"
	"recoup/store"
)

// TeamRow is one person's figures over a period. UserID 0 is the accounts
// without an agent (dunning messages and open portfolio only).
type TeamRow struct {
	UserID      int64
	Email, Name string
	// Sent by dunning for the accounts of which they are the agent.
	EmailsSent, TextsSent, CallsPlaced int
	// Done by them: tasks closed as done (calls among them) and promises
	// to pay they recorded.
	Calls, TasksClosed, Promises int
	Collected                    CurrencyAmounts // payments within 30 days after their actions
	Accounts                     int             // their accounts with an open invoice at the end
	Open                         CurrencyAmounts // those invoices' open amount at the end
}

// Team is the team figures of a period inside the caller's perimeter.
type Team struct {
	From, To     dunning.Date
	Reporting    money.Currency
	Rates        []store.Rate
	MissingRates []MissingRate
	Agents       []TeamRow // by email; the accounts without an agent last
	Total        TeamRow
}

// TeamFigures answers GET /kpis/team: per person, the actions of the period
// q.From–q.To (default the 90 days to as_of), what was collected after them,
// and the open portfolio at its end (see the README, "Team"). An agent sees
// their own row only, even for the accounts of others they acted on.
func (a *App) TeamFigures(ctx context.Context, who domain.Principal, q KPIQuery) (Team, error) {
	if q.GroupBy != "" {
		return Team{}, domain.FieldError("group_by", "the team figures are by person")
	}
	s, err := a.kpiScope(who, q, true)
	if err != nil {
		return Team{}, err
	}
	var only *int64
	var ids []int64
	if who.Role == domain.RoleAgent {
		only, ids = &who.UserID, []int64{who.UserID}
	}
	d, err := a.store.TeamFigures(ctx, perimeter(who), s.filter, s.from.In(time.UTC), only, ids)
	if err != nil {
		return Team{}, err
	}
	book, err := a.rateBook(ctx, s.reporting, s.filter.On)
	if err != nil {
		return Team{}, err
	}
	return buildTeam(s.from, s.filter.On, d, book), nil
}

func buildTeam(from, to dunning.Date, d store.TeamData, book *rateBook) Team {
	type sums struct {
		row               TeamRow
		collected, opened map[string]int64
	}
	rows := map[int64]*sums{}
	get := func(id int64) *sums {
		if rows[id] == nil {
			rows[id] = &sums{row: TeamRow{UserID: id}, collected: map[string]int64{}, opened: map[string]int64{}}
		}
		return rows[id]
	}
	for _, u := range d.Users {
		r := get(u.ID)
		r.row.Email, r.row.Name = u.Email, u.Name
	}
	for _, c := range d.Actions {
		r := &get(c.UserID).row
		switch c.What {
		case "promise":
			r.Promises += c.N
			continue
		case string(domain.TaskCall):
			r.Calls += c.N
		}
		r.TasksClosed += c.N
	}
	for _, c := range d.Messages {
		r := &get(c.UserID).row
		switch domain.Channel(c.What) {
		case domain.ChannelEmail:
			r.EmailsSent += c.N
		case domain.ChannelSMS:
			r.TextsSent += c.N
		case domain.ChannelVoice:
			r.CallsPlaced += c.N
		}
	}
	for _, x := range d.Collected {
		get(x.UserID).collected[x.Currency.Code()] += x.Minor
	}
	for _, x := range d.Portfolio {
		r := get(x.UserID)
		r.opened[x.Currency.Code()] += x.Minor
		r.row.Accounts += x.Accounts
	}
	t := Team{From: from, To: to, Reporting: book.to, Agents: []TeamRow{}}
	total := sums{collected: map[string]int64{}, opened: map[string]int64{}}
	codes := map[string]bool{}
	for _, id := range slices.Sorted(func(yield func(int64) bool) {
		for id := range rows {
			if !yield(id) {
				return
			}
		}
	}) {
		s := rows[id]
		for c, v := range s.collected {
			total.collected[c] += v
			codes[c] = true
		}
		for c, v := range s.opened {
			total.opened[c] += v
			codes[c] = true
		}
		s.row.Collected, s.row.Open = book.amounts(s.collected), book.amounts(s.opened)
		t.Agents = append(t.Agents, s.row)
		r := &total.row
		r.EmailsSent, r.TextsSent, r.CallsPlaced = r.EmailsSent+s.row.EmailsSent, r.TextsSent+s.row.TextsSent, r.CallsPlaced+s.row.CallsPlaced
		r.Calls, r.TasksClosed, r.Promises = r.Calls+s.row.Calls, r.TasksClosed+s.row.TasksClosed, r.Promises+s.row.Promises
		r.Accounts += s.row.Accounts
	}
	slices.SortStableFunc(t.Agents, func(x, y TeamRow) int {
		switch {
		case (x.UserID == 0) != (y.UserID == 0):
			if x.UserID == 0 {
				return 1
			}
			return -1
		}
		return compareStrings(x.Email, y.Email)
	})
	total.row.Collected, total.row.Open = book.amounts(total.collected), book.amounts(total.opened)
	t.Total = total.row
	t.Rates, t.MissingRates = book.usedRates(codes), book.missing()
	return t
}
