package app

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"

	"recoup/auth"
	"recoup/domain"
	"recoup/store"
)

// User-defined columns: a credit manager names a formula over the
// per-account figures (README "User-defined columns"). The formula is
// type-checked when it is saved, and evaluated for each account of a list.
// Money figures are decimal numbers of the account's currency inside the
// formula (float64 there only); a number result is kept rounded to two
// decimals, never stored.

// Column types, as the type check infers them.
const (
	ColumnNumber = "number"
	ColumnBool   = "bool"
	ColumnText   = "text"
)

// Bounds of a formula: its length, its syntax tree, and the memory one
// evaluation may use (expr's budget, counted in elements it allocates).
const (
	MaxFormulaRunes    = 500
	maxFormulaNodes    = 200
	formulaMemoryLimit = 10_000
	maxColumnLabel     = 80
)

// FormulaEnv is what a formula may name: one account's figures. Money is in
// the account's currency (units, not minor units); days are days. The
// figures a formula may find missing are in nullableFigures.
type FormulaEnv struct {
	Outstanding      float64 `expr:"outstanding"`
	Overdue          float64 `expr:"overdue"`
	NotDue           float64 `expr:"not_due"`
	Overdue1To30     float64 `expr:"overdue_1_30"`
	Overdue31To60    float64 `expr:"overdue_31_60"`
	Overdue61To90    float64 `expr:"overdue_61_90"`
	Overdue91To120   float64 `expr:"overdue_91_120"`
	OverdueOver120   float64 `expr:"overdue_over_120"`
	Overdue60        float64 `expr:"overdue_60"`
	Credits          float64 `expr:"credits"`
	Sales            float64 `expr:"sales_90"`
	DSO              float64 `expr:"dso"`
	DaysToPay        float64 `expr:"days_to_pay"`
	PaymentDelay     float64 `expr:"payment_delay"`
	CreditLimit      float64 `expr:"credit_limit"`
	LimitUse         float64 `expr:"limit_use"` // percent
	RiskClass        string  `expr:"risk_class"`
	Disputed         float64 `expr:"disputed"`
	Promised         float64 `expr:"promised"`
	DaysSinceContact float64 `expr:"days_since_contact"`
	DaysOverdue      float64 `expr:"days_overdue"`
	Currency         string  `expr:"currency"`
}

// nullableFigures are the figures an account may lack (no sales, no payment
// history, no credit limit, never contacted): a formula that names one is
// blank for such an account.
var nullableFigures = []string{"dso", "days_to_pay", "payment_delay", "credit_limit", "limit_use", "days_since_contact"}

// FormulaFigures are the names a formula may use, in FormulaEnv's order.
var FormulaFigures = func() []string {
	t := reflect.TypeFor[FormulaEnv]()
	out := make([]string, t.NumField())
	for i := range out {
		out[i] = t.Field(i).Tag.Get("expr")
	}
	return out
}()

// formulaBuiltins are the only functions a formula may call: arithmetic and
// text helpers, nothing that builds large values.
var formulaBuiltins = []string{"abs", "ceil", "floor", "round", "min", "max", "upper", "lower", "trim", "hasPrefix", "hasSuffix", "len", "string", "float", "int"}

var columnName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// formula is a checked formula, ready to evaluate.
type formula struct {
	prog  *vm.Program
	typ   string
	nulls []string // the nullable figures it names
}

// compileFormula type-checks src against FormulaEnv; a refusal is a
// FieldError on formula that gives the line and column of the fault.
func compileFormula(src string) (formula, error) {
	var f formula
	if strings.TrimSpace(src) == "" {
		return f, domain.FieldError("formula", "required")
	}
	if n := utf8.RuneCountInString(src); n > MaxFormulaRunes {
		return f, domain.FieldError("formula", "%d characters: at most %d", n, MaxFormulaRunes)
	}
	opts := []expr.Option{expr.Env(FormulaEnv{}), expr.MaxNodes(maxFormulaNodes), expr.DisableAllBuiltins()}
	for _, b := range formulaBuiltins {
		opts = append(opts, expr.EnableBuiltin(b))
	}
	prog, err := expr.Compile(src, opts...)
	if err != nil {
		var fe *file.Error
		if errors.As(err, &fe) {
			return f, domain.FieldError("formula", "line %d, column %d: %s", fe.Line, fe.Column+1, fe.Message)
		}
		return f, domain.FieldError("formula", "%v", err)
	}
	f.prog = prog
	switch t := prog.Node().Type(); {
	case t == nil || t.Kind() == reflect.Interface:
		return f, domain.FieldError("formula", "line 1, column 1: the result has no single type: want a number, a yes/no or a text")
	case t.Kind() == reflect.Bool:
		f.typ = ColumnBool
	case t.Kind() == reflect.String:
		f.typ = ColumnText
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Float64:
		f.typ = ColumnNumber
	default:
		return f, domain.FieldError("formula", "line 1, column 1: the result is %s: want a number, a yes/no or a text", t)
	}
	used := map[string]bool{}
	node := prog.Node()
	ast.Walk(&node, identifiers(used))
	for _, n := range nullableFigures {
		if used[n] {
			f.nulls = append(f.nulls, n)
		}
	}
	return f, nil
}

// identifiers collects the names a formula uses.
type identifiers map[string]bool

func (v identifiers) Visit(n *ast.Node) {
	if id, ok := (*n).(*ast.IdentifierNode); ok {
		v[id.Value] = true
	}
}

// ColumnValue is a column's value for one account. Null is blank: a figure
// the formula names is missing for the account, or the result is not a
// finite number (a division by zero), or the evaluation failed.
type ColumnValue struct {
	Type   string
	Null   bool
	Number float64 // rounded to two decimals
	Bool   bool
	Text   string
}

// Decimal is a number value with two decimals ("" when null).
func (v ColumnValue) Decimal() string {
	if v.Null || v.Type != ColumnNumber {
		return ""
	}
	return strconv.FormatFloat(v.Number, 'f', 2, 64)
}

// String is the value as text ("" when null).
func (v ColumnValue) String() string {
	switch {
	case v.Null:
		return ""
	case v.Type == ColumnNumber:
		return v.Decimal()
	case v.Type == ColumnBool:
		return strconv.FormatBool(v.Bool)
	}
	return v.Text
}

// eval is f over the figures env (with the missing ones in missing).
func (f formula) eval(env FormulaEnv, missing map[string]bool) ColumnValue {
	v := ColumnValue{Type: f.typ, Null: true}
	for _, n := range f.nulls {
		if missing[n] {
			return v
		}
	}
	machine := vm.VM{MemoryBudget: formulaMemoryLimit}
	out, err := machine.Run(f.prog, env)
	if err != nil {
		return v
	}
	switch x := out.(type) {
	case bool:
		v.Bool, v.Null = x, false
	case string:
		v.Text, v.Null = x, false
	default:
		n, ok := toFloat(x)
		if !ok || math.IsNaN(n) || math.IsInf(n, 0) {
			return v
		}
		v.Number, v.Null = math.RoundToEven(n*100)/100, false
	}
	return v
}

func toFloat(x any) (float64, bool) {
	switch n := x.(type) {
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case int32:
		return float64(n), true
	}
	return 0, false
}

// formulaEnv is the figures f as a formula sees them at now, with the
// figures the account lacks.
func formulaEnv(f store.AccountFigures, now time.Time) (FormulaEnv, map[string]bool) {
	unit := math.Pow10(f.Currency.Exponent())
	m := func(minor int64) float64 { return float64(minor) / unit }
	missing := map[string]bool{}
	ratio := func(name string, r *big.Rat) float64 {
		if r == nil {
			missing[name] = true
			return math.NaN()
		}
		x, _ := r.Float64()
		return x
	}
	e := FormulaEnv{
		Outstanding: m(f.Outstanding()), Overdue: m(f.Overdue()), NotDue: m(f.Buckets[store.BucketNotDue]),
		Overdue1To30: m(f.Buckets[store.Bucket1To30]), Overdue31To60: m(f.Buckets[store.Bucket31To60]),
		Overdue61To90: m(f.Buckets[store.Bucket61To90]), Overdue91To120: m(f.Buckets[store.Bucket91To120]),
		OverdueOver120: m(f.Buckets[store.BucketOver120]), Overdue60: m(f.Over60()),
		Credits: m(f.OpenCredits + f.Unallocated), Sales: m(f.Sales),
		DSO: ratio("dso", f.DSO()), DaysToPay: ratio("days_to_pay", f.DaysToPay()), PaymentDelay: ratio("payment_delay", f.PaymentDelay()),
		CreditLimit: math.NaN(), LimitUse: ratio("limit_use", f.LimitUse()), RiskClass: f.RiskClass, Disputed: m(f.Disputed), Promised: m(f.Promised),
		DaysSinceContact: math.NaN(), DaysOverdue: float64(f.OldestOverdueDays), Currency: f.Currency.Code(),
	}
	if f.CreditLimit != nil {
		e.CreditLimit = m(*f.CreditLimit)
	} else {
		missing["credit_limit"] = true
	}
	if f.LastContact != nil {
		e.DaysSinceContact = math.Floor(now.Sub(*f.LastContact).Hours() / 24)
	} else {
		missing["days_since_contact"] = true
	}
	return e, missing
}

// ColumnInput is what a person gives for a column. Entity (a code) limits it
// to that entity's accounts; "" is every account.
type ColumnInput struct {
	Entity, Name, Label, Formula string
}

// reservedColumnNames are taken by the list's own sorts and query parameters.
var reservedColumnNames = []string{"q", "entity", "agent", "category", "overdue", "on_hold", "sort", "limit", "offset",
	"page", "where", "format", "balance", "days_overdue", "last_contact"}

func (in ColumnInput) check() (store.Column, error) {
	k := store.Column{EntityCode: strings.TrimSpace(in.Entity), Name: strings.TrimSpace(in.Name),
		Label: strings.TrimSpace(in.Label), Formula: strings.TrimSpace(in.Formula)}
	for field, v := range map[string]string{"entity": k.EntityCode, "label": k.Label, "formula": k.Formula} {
		if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
			return k, domain.FieldError(field, "not valid text")
		}
	}
	switch {
	case k.Name == "":
		return k, domain.FieldError("name", "required")
	case len(k.Name) > 40 || !columnName.MatchString(k.Name):
		return k, domain.FieldError("name", "%q: want a lower-case letter, then lower-case letters, digits or _ (40 at most)", k.Name)
	case slices.Contains(reservedColumnNames, k.Name) || slices.Contains(FormulaFigures, k.Name) ||
		slices.Contains(store.CustomerSorts, store.CustomerSort(k.Name)):
		return k, domain.FieldError("name", "%q is taken by a figure or a parameter of the list", k.Name)
	case k.Label == "":
		return k, domain.FieldError("label", "required")
	case utf8.RuneCountInString(k.Label) > maxColumnLabel:
		return k, domain.FieldError("label", "at most %d characters", maxColumnLabel)
	}
	f, err := compileFormula(k.Formula)
	if err != nil {
		return k, err
	}
	k.Type = f.typ
	return k, nil
}

// CheckFormula type-checks a formula without saving it: its type, or a
// FieldError on formula with the position of the fault.
func CheckFormula(src string) (string, error) {
	f, err := compileFormula(src)
	return f.typ, err
}

// Columns lists the user-defined columns who sees: every column without an
// entity and those of who's entities.
func (a *App) Columns(ctx context.Context, who domain.Principal) ([]store.Column, error) {
	if err := allow(who, auth.AccountsRead); err != nil {
		return nil, err
	}
	all, err := a.store.Columns(ctx)
	if err != nil {
		return nil, err
	}
	per := perimeter(who)
	return slices.DeleteFunc(all, func(k store.Column) bool {
		return k.EntityID != nil && per.Entities != nil && !slices.Contains(per.Entities, *k.EntityID)
	}), nil
}

// Column is one user-defined column.
func (a *App) Column(ctx context.Context, who domain.Principal, id int64) (store.Column, error) {
	list, err := a.Columns(ctx, who)
	if err != nil {
		return store.Column{}, err
	}
	for _, k := range list {
		if k.ID == id {
			return k, nil
		}
	}
	return store.Column{}, domain.Errorf(domain.CodeNotFound, "column %d not found", id)
}

// SaveColumn creates a column (id 0) or changes column id: the formula is
// type-checked first (its type is inferred), and the change journaled.
func (a *App) SaveColumn(ctx context.Context, who domain.Principal, id int64, in ColumnInput) (store.Column, error) {
	if err := allow(who, auth.ColumnsManage); err != nil {
		return store.Column{}, err
	}
	if id != 0 {
		if _, err := a.Column(ctx, who, id); err != nil {
			return store.Column{}, err
		}
	}
	k, err := in.check()
	if err != nil {
		return store.Column{}, err
	}
	k.ID = id
	return a.store.SaveColumn(ctx, perimeter(who), k, who.Actor())
}

// DeleteColumn removes column id, journaled.
func (a *App) DeleteColumn(ctx context.Context, who domain.Principal, id int64) error {
	if err := allow(who, auth.ColumnsManage); err != nil {
		return err
	}
	if _, err := a.Column(ctx, who, id); err != nil {
		return err
	}
	return a.store.DeleteColumn(ctx, id, who.Actor())
}

// liveColumn is a saved column with its compiled formula.
type liveColumn struct {
	store.Column
	formula
}

func compileColumns(list []store.Column) ([]liveColumn, error) {
	out := make([]liveColumn, 0, len(list))
	for _, k := range list {
		f, err := compileFormula(k.Formula)
		if err != nil {
			return nil, fmt.Errorf("column %s no longer compiles: %w", k.Name, err)
		}
		out = append(out, liveColumn{Column: k, formula: f})
	}
	return out, nil
}

// values are the columns' values for one account, by column name; a column
// of another entity is blank.
func columnValues(cols []liveColumn, f store.AccountFigures, now time.Time) map[string]ColumnValue {
	env, missing := formulaEnv(f, now)
	out := make(map[string]ColumnValue, len(cols))
	for _, k := range cols {
		if k.EntityID != nil && *k.EntityID != f.EntityID {
			out[k.Name] = ColumnValue{Type: k.typ, Null: true}
			continue
		}
		out[k.Name] = k.eval(env, missing)
	}
	return out
}
