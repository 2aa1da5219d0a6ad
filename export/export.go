// Package export writes tables of typed cells as CSV or XLSX downloads: the
// one place that decides how an amount, a date or a ratio looks in a
// spreadsheet, for every export (figures, lists, the weekly report).
package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"recoup/dunning"
	"recoup/money"
)

// Format is a download format.
type Format string

const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// ContentType is the media type of a download in f.
func (f Format) ContentType() string {
	if f == XLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

type kind int

const (
	blank kind = iota
	text
	integer
	amount
	decimal
	date
)

// Cell is one typed value of a table.
type Cell struct {
	kind kind
	s    string // text, or the decimal digits of an amount or a decimal
	i    int64
	cur  money.Currency
	d    dunning.Date
}

// Blank is an empty cell (an undefined ratio, a missing date).
func Blank() Cell { return Cell{} }

// Text is a string cell.
func Text(s string) Cell { return Cell{kind: text, s: s} }

// Int is a whole number.
func Int(n int64) Cell { return Cell{kind: integer, i: n} }

// Money is an amount in minor units of c: a number in the currency's format
// in XLSX, a plain decimal in CSV (the table carries the currency in a column
// of its own where it varies).
func Money(minor int64, c money.Currency) Cell {
	return Cell{kind: amount, s: money.FormatMinor(minor, c), cur: c}
}

// Decimal is an exact decimal string such as "99.40" (a ratio, days); "" is blank.
func Decimal(s string) Cell {
	if s == "" {
		return Blank()
	}
	return Cell{kind: decimal, s: s}
}

// Date is a calendar date; the zero date is blank.
func Date(d dunning.Date) Cell {
	if d.IsZero() {
		return Blank()
	}
	return Cell{kind: date, d: d}
}

// String is the cell as CSV shows it.
func (c Cell) String() string {
	switch c.kind {
	case text:
		return c.s
	case integer:
		return strconv.FormatInt(c.i, 10)
	case amount, decimal:
		return c.s
	case date:
		return c.d.String()
	}
	return ""
}

// Table is a named table: a sheet of an XLSX file, or one CSV file.
type Table struct {
	Name string // the sheet's name (at most 31 characters, none of []:*?/\)
	Head []string
	Rows [][]Cell
}

// Add appends a row.
func (t *Table) Add(cells ...Cell) { t.Rows = append(t.Rows, cells) }

// Write writes tables in format f: CSV takes exactly one table.
func Write(w io.Writer, f Format, tables ...Table) error {
	switch f {
	case CSV:
		if len(tables) != 1 {
			return fmt.Errorf("export: CSV holds one table, got %d", len(tables))
		}
		return WriteCSV(w, tables[0])
	case XLSX:
		return WriteXLSX(w, tables...)
	}
	return fmt.Errorf("export: unknown format %q", f)
}

// WriteCSV writes t with its header line. A text cell that a spreadsheet
// would run as a formula (=, +, -, @, tab, CR first) is prefixed with a
// quote, so an exported customer name cannot become a formula on opening.
func WriteCSV(w io.Writer, t Table) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(t.Head); err != nil {
		return err
	}
	line := make([]string, 0, len(t.Head))
	for _, r := range t.Rows {
		line = line[:0]
		for _, c := range r {
			s := c.String()
			if c.kind == text && s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
				s = "'" + s
			}
			line = append(line, s)
		}
		if err := cw.Write(line); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteXLSX writes one sheet per table, streamed row by row so a large list
// does not sit in memory as cells: header in bold, amounts as numbers in
// their currency's format, dates as dates, decimals and integers as numbers,
// text as text (never a formula).
func WriteXLSX(w io.Writer, tables ...Table) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	for i, t := range tables {
		name := sheetName(t.Name, i)
		if i == 0 {
			err = f.SetSheetName("Sheet1", name)
		} else {
			_, err = f.NewSheet(name)
		}
		if err != nil {
			return fmt.Errorf("export: sheet %q: %w", name, err)
		}
		if err := writeSheet(f, st, name, t); err != nil {
			return fmt.Errorf("export: sheet %q: %w", name, err)
		}
	}
	return f.Write(w)
}

func writeSheet(f *excelize.File, st *styles, name string, t Table) error {
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	if len(t.Head) > 0 {
		if err := sw.SetColWidth(1, len(t.Head), 16); err != nil {
			return err
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
	}
	head := make([]any, len(t.Head))
	for i, h := range t.Head {
		head[i] = excelize.Cell{StyleID: st.bold, Value: h}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	row := make([]any, 0, len(t.Head))
	for n, r := range t.Rows {
		row = row[:0]
		for _, c := range r {
			v, err := st.value(c)
			if err != nil {
				return err
			}
			row = append(row, v)
		}
		if err := sw.SetRow("A"+strconv.Itoa(n+2), row); err != nil {
			return err
		}
	}
	return sw.Flush()
}

type styles struct {
	f     *excelize.File
	bold  int
	date  int
	money map[string]int // by currency code
}

func newStyles(f *excelize.File) (*styles, error) {
	st := &styles{f: f, money: map[string]int{}}
	var err error
	if st.bold, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		return nil, err
	}
	dateFmt := "yyyy-mm-dd"
	if st.date, err = f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt}); err != nil {
		return nil, err
	}
	return st, nil
}

// moneyStyle is "#,##0.00 "EUR"": the currency's decimals and its code.
func (st *styles) moneyStyle(c money.Currency) (int, error) {
	if id, ok := st.money[c.Code()]; ok {
		return id, nil
	}
	numFmt := "#,##0"
	if c.Exponent() > 0 {
		numFmt += "." + strings.Repeat("0", c.Exponent())
	}
	numFmt += ` "` + c.Code() + `"`
	id, err := st.f.NewStyle(&excelize.Style{CustomNumFmt: &numFmt})
	if err != nil {
		return 0, err
	}
	st.money[c.Code()] = id
	return id, nil
}

// value is c as the stream writer takes it. An amount or a decimal is parsed
// to a float64 here only because an XLSX number is one: the shortest
// representation written back is the same decimal, so the file holds the
// exact amount for anything below 2^53 minor units.
func (st *styles) value(c Cell) (any, error) {
	switch c.kind {
	case text:
		return c.s, nil
	case integer:
		return c.i, nil
	case amount:
		id, err := st.moneyStyle(c.cur)
		if err != nil {
			return nil, err
		}
		v, err := strconv.ParseFloat(c.s, 64)
		return excelize.Cell{StyleID: id, Value: v}, err
	case decimal:
		v, err := strconv.ParseFloat(c.s, 64)
		if err != nil {
			return nil, fmt.Errorf("decimal %q: %w", c.s, err)
		}
		return v, nil
	case date:
		return excelize.Cell{StyleID: st.date, Value: c.d.In(time.UTC)}, nil
	}
	return nil, nil
}

// sheetName is name made valid as a sheet name, or "Sheet<n>".
func sheetName(name string, i int) string {
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '-'
		}
		return r
	}, name)
	if r := []rune(name); len(r) > 31 {
		name = string(r[:31])
	}
	if strings.TrimSpace(name) == "" {
		name = "Sheet" + strconv.Itoa(i+1)
	}
	return name
}
