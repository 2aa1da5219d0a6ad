package importer

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// fuzzKind reads data as a file of kind k and checks the parser's promises
// whatever the bytes: no panic, file errors are *FileError, every rejected
// row has a line, and every accepted row has one value per staged column
// with no negative amount.
func fuzzKind(t *testing.T, k Kind, f Format, data string) {
	sp := specs[k]
	recs, err := newRecordReader(f, strings.NewReader(data), sp.columns)
	if err != nil {
		var fe *FileError
		if !errors.As(err, &fe) {
			t.Fatalf("opening: %v is not a FileError", err)
		}
		return
	}
	for range 10_000 {
		rec, err := recs.next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("reading: %v is not a FileError", err)
			}
			return
		}
		if rec.bad != nil {
			if rec.bad.Line < 1 {
				t.Fatalf("rejection without a line: %+v", rec.bad)
			}
			continue
		}
		vals, bad := sp.parse(rec, nil)
		if bad != nil {
			if bad.Line < 1 || bad.Reason == "" {
				t.Fatalf("rejection without line or reason: %+v", bad)
			}
			continue
		}
		if len(vals) != len(sp.stageCols) {
			t.Fatalf("%d values for %d staged columns", len(vals), len(sp.stageCols))
		}
		for _, v := range vals {
			if n, ok := v.(int64); ok && n < 0 {
				t.Fatalf("negative amount %d accepted", n)
			}
		}
	}
}

func FuzzImportInvoicesCSV(f *testing.F) {
	head := "external_id,customer_external_id,number,type,issue_date,due_date,currency,amount,open_amount\n"
	for _, seed := range []string{
		head + "I1,C1,F-1,invoice,2026-09-01,2026-10-01,EUR,1234.56,100\n",
		head + "I1,C1,\"F-1\n2\",credit_note,2026-09-01,2026-10-01,KWD,1.234,0\n",
		head + "I1,C1,F-1,invoice,2026-02-30,2026-10-01,JPY,-1,1e3\n",
		"\xef\xbb\xbf" + head + "\"unterminated,C1\n",
		"amount\n1\n", "", "\x00\xff",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data string) { fuzzKind(t, Invoices, CSV, data) })
}

func FuzzImportPaymentsJSON(f *testing.F) {
	for _, seed := range []string{
		`[{"external_id":"P1","customer_external_id":"C1","date":"2026-10-01","currency":"EUR","amount":12.5}]`,
		`[{"external_id":"P1","Amount":"1","amount":"2"}]`,
		`[{"external_id":{"nested":[1,2,3]}}, 1, "x"]`,
		`[{"amount": 99999999999999999999999999}]`,
		`{"not":"an array"}`, `[`, `[]`, "[\n\n{\"date\": null}\n]",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data string) { fuzzKind(t, Payments, JSON, data) })
}
