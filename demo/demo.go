// Package demo generates a believable ERP feed for a fictional group with
// entities in eight countries, and loads it through the same import path as a
// real feed. It is what `recoup demo` and `recoup dev` show a newcomer first,
// and what benchmarks load by the hundred thousand customers.
//
// The output is deterministic for a seed and a Today, and is generated row by
// row: every customer, and every customer's invoices and payments, follows
// from the seed and the customer's index alone, so memory does not grow with
// the number of customers.
package demo

import (
	"context"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"recoup/importer"
	"recoup/money"
)

// Options says what to generate.
type Options struct {
	Customers int       // e.g. 200 for `recoup dev`, 100000 for benchmarks
	Seed      int64     // deterministic output for a seed
	Today     time.Time // the date due dates are spread around (UTC date); required
}

// Write streams the data set as CSV files, one per kind, in load order, to the
// writer open(kind) returns. Each writer is closed after its file; when writing
// fails half-way, a writer that has CloseWithError(error) gets that instead, so
// a half-written file is not taken for a whole one.
func Write(opts Options, open func(kind importer.Kind) (io.WriteCloser, error)) error {
	g, err := newGenerator(opts)
	if err != nil {
		return err
	}
	for _, kind := range importer.Kinds {
		w, err := open(kind)
		if err != nil {
			return fmt.Errorf("demo %s: %w", kind, err)
		}
		if err := g.write(kind, w); err != nil {
			if a, ok := w.(interface{ CloseWithError(error) error }); ok {
				_ = a.CloseWithError(err)
			} else {
				_ = w.Close()
			}
			return fmt.Errorf("demo %s: %w", kind, err)
		}
		if err := w.Close(); err != nil {
			return fmt.Errorf("demo %s: %w", kind, err)
		}
	}
	return nil
}

// Load generates the data set and imports it through the same path as the
// ERP feed (importer.Importer.Import, CSV), streaming each file through a
// pipe so nothing is held in memory. It returns the per-kind results in load
// order; on error, those of the kinds imported before it.
func Load(ctx context.Context, im *importer.Importer, opts Options) ([]importer.Result, error) {
	results := make([]importer.Result, 0, len(importer.Kinds))
	err := Write(opts, func(kind importer.Kind) (io.WriteCloser, error) {
		return startImport(ctx, im, kind, &results), nil
	})
	return results, err
}

// pipeImport is the writing end of one import running in its own goroutine.
type pipeImport struct {
	kind    importer.Kind
	pw      *io.PipeWriter
	done    chan struct{}
	res     importer.Result
	err     error
	results *[]importer.Result
}

func startImport(ctx context.Context, im *importer.Importer, kind importer.Kind, results *[]importer.Result) *pipeImport {
	pr, pw := io.Pipe()
	p := &pipeImport{kind: kind, pw: pw, done: make(chan struct{}), results: results}
	go func() {
		defer close(p.done)
		p.res, p.err = im.Import(ctx, kind, importer.CSV, pr, importer.Source{Name: "demo", Actor: "demo"})
		// An import that stopped early must not leave the generator blocked on the pipe.
		if p.err != nil {
			pr.CloseWithError(p.err)
		} else {
			pr.Close()
		}
	}()
	return p
}

func (p *pipeImport) Write(b []byte) (int, error) { return p.pw.Write(b) }

// Close ends the file and waits for its import.
func (p *pipeImport) Close() error {
	p.pw.Close()
	return p.wait()
}

// CloseWithError makes the import fail rather than commit a truncated file.
func (p *pipeImport) CloseWithError(err error) error {
	p.pw.CloseWithError(err)
	return p.wait()
}

func (p *pipeImport) wait() error {
	<-p.done
	if p.err != nil {
		return fmt.Errorf("import %s: %w", p.kind, p.err)
	}
	*p.results = append(*p.results, p.res)
	return nil
}

var headers = map[importer.Kind][]string{
	importer.Entities: {"code", "name", "country", "currency", "timezone", "language"},
	importer.Users:    {"email", "name", "role"},
	importer.Customers: {"external_id", "entity", "name", "category", "country", "language", "currency", "email",
		"phone", "timezone", "credit_limit", "agent_email", "sales_rep_email", "risk_class", "sms_consent", "voice_consent"},
	importer.Invoices: {"external_id", "customer_external_id", "number", "type", "issue_date", "due_date",
		"currency", "amount", "open_amount"},
	importer.Payments:      {"external_id", "customer_external_id", "invoice_number", "date", "currency", "amount"},
	importer.ExchangeRates: {"date", "from", "to", "rate"},
	importer.Holidays:      {"country", "date", "name"},
}

func (g *generator) write(kind importer.Kind, w io.Writer) error {
	header, ok := headers[kind]
	if !ok {
		return errors.New("no generator for this kind")
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	var err error
	switch kind {
	case importer.Entities:
		err = g.writeEntities(cw)
	case importer.Users:
		err = g.writeUsers(cw)
	case importer.Customers:
		err = g.writeCustomers(cw)
	case importer.Invoices:
		err = g.writeInvoices(cw)
	case importer.Payments:
		err = g.writePayments(cw)
	case importer.ExchangeRates:
		err = g.writeExchangeRates(cw)
	case importer.Holidays:
		err = writeHolidays(cw)
	}
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

func (g *generator) writeEntities(cw *csv.Writer) error {
	for _, e := range entities {
		l := e.home
		if err := cw.Write([]string{e.code, e.name, l.country, l.currency, l.tz, l.language}); err != nil {
			return err
		}
	}
	return nil
}

// demoRates are the rates to EUR of the demo's currencies (illustrative, not market data).
var demoRates = [][2]string{{"CHF", "1.0650"}, {"GBP", "1.1700"}, {"USD", "0.9200"}, {"CAD", "0.6700"},
	{"JPY", "0.0061"}, {"KWD", "2.9900"}, {"SAR", "0.2450"}, {"BHD", "2.4400"}}

// writeExchangeRates dates the rates to EUR a month before today, so every
// overdue amount converts on or after that date.
func (g *generator) writeExchangeRates(cw *csv.Writer) error {
	on := g.today.AddDate(0, -1, 0).Format(time.DateOnly)
	for _, r := range demoRates {
		if err := cw.Write([]string{on, r[0], "EUR", r[1]}); err != nil {
			return err
		}
	}
	return nil
}

func (g *generator) writeUsers(cw *csv.Writer) error {
	for _, u := range users {
		if err := cw.Write([]string{u.email, u.name, u.role}); err != nil {
			return err
		}
	}
	return nil
}

func (g *generator) writeCustomers(cw *csv.Writer) error {
	rec := make([]string, len(headers[importer.Customers]))
	for i := range g.customers {
		c := g.customer(i)
		limit := ""
		if c.limit >= 0 {
			limit = money.FormatMinor(c.limit, c.cur)
		}
		consent := "" // unknown: the entity's default (no) decides
		if c.phone != "" {
			consent = "true" // the demo's customers with a phone agreed to texts and calls
		}
		rec = append(rec[:0], c.externalID, c.entity.code, c.name, c.category, c.loc.country, c.loc.language,
			c.cur.Code(), c.email, c.phone, c.timezone, limit, c.agent, c.rep, c.risk, consent, consent)
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	return nil
}

func (g *generator) writeInvoices(cw *csv.Writer) error {
	rec := make([]string, len(headers[importer.Invoices]))
	var docs []doc
	for i := range g.customers {
		c := g.customer(i)
		docs = g.docs(&c, docs)
		for k := range docs {
			d := &docs[k]
			open, _ := g.settle(d, nil)
			typ := "invoice"
			if d.credit {
				typ = "credit_note"
			}
			rec = append(rec[:0], c.entity.code+"/"+d.number, c.externalID, d.number, typ,
				d.issue.Format(time.DateOnly), d.due.Format(time.DateOnly), c.cur.Code(),
				money.FormatMinor(d.amount, c.cur), money.FormatMinor(open, c.cur))
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
	}
	return nil
}

func (g *generator) writePayments(cw *csv.Writer) error {
	rec := make([]string, len(headers[importer.Payments]))
	var docs []doc
	var rows []payment
	for i := range g.customers {
		c := g.customer(i)
		docs = g.docs(&c, docs)
		rows = rows[:0]
		for k := range docs {
			_, rows = g.settle(&docs[k], rows)
		}
		// A bank feed lists receipts by date.
		sortPayments(rows)
		for _, p := range rows {
			rec = append(rec[:0], c.entity.code+"-RCPT-"+p.id, c.externalID,
				p.invoiceNumber, p.on.Format(time.DateOnly), c.cur.Code(), money.FormatMinor(p.amount, c.cur))
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
	}
	return nil
}

// holidaysCSV are public holidays of the demo's countries that the built-in
// calendars lack (PT, MX, KW, SA, BH), for 2026 and 2027. Only dates that
// are fixed or follow a fixed rule are listed (Easter-based ones for
// Portugal, the Mondays of Mexico's federal law); the Islamic holidays of
// the Gulf countries move with the lunar calendar and are announced each
// year, so they are left for the user to load.
//
//go:embed holidays.csv
var holidaysCSV string

func writeHolidays(cw *csv.Writer) error {
	recs, err := csv.NewReader(strings.NewReader(holidaysCSV)).ReadAll()
	if err != nil {
		return err
	}
	return cw.WriteAll(recs[1:]) // the header is written already
}
