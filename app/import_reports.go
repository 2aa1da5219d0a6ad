package app

import (
	"context"

	"recoup/auth"
	"recoup/domain"
	"recoup/importer"
	"recoup/store"
)

// ImportQuery filters the list of past imports; an empty kind does not filter.
type ImportQuery struct {
	Kind string
	domain.Page
}

// Imports lists the past imports, newest first, with how many match in all.
func (a *App) Imports(ctx context.Context, who domain.Principal, q ImportQuery) ([]store.ImportRun, int64, error) {
	if err := allow(who, auth.ImportsCreate); err != nil {
		return nil, 0, err
	}
	if q.Kind != "" {
		if _, err := importer.ParseKind(q.Kind); err != nil {
			return nil, 0, domain.FieldError("kind", "%v", err)
		}
	}
	if q.Limit < 1 || q.Limit > domain.MaxPageSize {
		q.Limit = domain.DefaultPageSize
	}
	return a.store.ListImports(ctx, q.Kind, q.Page)
}

// ImportReportRejections bounds the rejected rows an import's report shows;
// the CSV export has them all.
const ImportReportRejections = 200

// ImportReport is one import: its counts and the first rejected rows.
type ImportReport struct {
	store.ImportRun
	Rejections []store.ImportRejection // the first ImportReportRejections, in line order
}

// ImportReport is what an import did.
func (a *App) ImportReport(ctx context.Context, who domain.Principal, id int64) (ImportReport, error) {
	if err := allow(who, auth.ImportsCreate); err != nil {
		return ImportReport{}, err
	}
	run, err := a.store.Import(ctx, id)
	if err != nil {
		return ImportReport{}, err
	}
	rej, err := a.store.ImportRejections(ctx, id, ImportReportRejections)
	return ImportReport{ImportRun: run, Rejections: rej}, err
}

// ImportRejections calls fn with every rejected row of an import, in line
// order, one at a time (for an export).
func (a *App) ImportRejections(ctx context.Context, who domain.Principal, id int64, fn func(store.ImportRejection) error) error {
	if err := allow(who, auth.ImportsCreate); err != nil {
		return err
	}
	if _, err := a.store.Import(ctx, id); err != nil {
		return err
	}
	return a.store.EachImportRejection(ctx, id, 0, fn)
}
