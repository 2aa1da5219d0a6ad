package history

import (
	"encoding/csv"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Filter keeps the entries with from <= At < to (a nil bound is open) whose
// Kind is one of kinds (none: any kind).
func Filter(entries []Entry, from, to *time.Time, kinds []string) []Entry {
	var out []Entry
	for _, e := range entries {
		switch {
		case from != nil && e.At.Before(*from),
			to != nil && !e.At.Before(*to),
			len(kinds) > 0 && !slices.Contains(kinds, e.Kind):
			continue
		}
		out = append(out, e)
	}
	return out
}

// Merge merges entry lists into one sorted by At. Entries at the same instant
// keep the argument order: Merge(journal, workflow) lists the journal entry
// (the request) before the workflow's (what it caused).
func Merge(lists ...[]Entry) []Entry {
	out := slices.Concat(lists...)
	slices.SortStableFunc(out, byTime)
	return out
}

// csvHeader names WriteCSV's columns.
var csvHeader = []string{"at", "source", "kind", "run_id", "event_id", "actor", "action", "summary", "detail"}

// WriteCSV writes a header row, then one row per entry; At in RFC 3339 UTC
// with nanoseconds, an absent event ID as an empty cell, Detail as JSON.
func WriteCSV(w io.Writer, entries []Entry) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, e := range entries {
		eventID := ""
		if e.EventID != 0 {
			eventID = strconv.FormatInt(e.EventID, 10)
		}
		row := []string{e.At.UTC().Format(time.RFC3339Nano), e.Source, e.Kind, e.RunID, eventID,
			cell(e.Actor), cell(e.Action), cell(e.Summary), cell(string(e.Detail))}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// cell defuses a value a spreadsheet would run as a formula (OWASP "CSV
// injection"): reasons and names come from users, and compliance officers
// open these files in Excel. The quote shows in the cell; nothing is lost.
func cell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
