package templates

import (
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/currency"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"recoup/domain"
	"recoup/money"
)

// Non-breaking space: between digit groups and between an amount and its
// currency symbol, so that "1 234,56 €" never wraps. (CLDR uses U+202F for
// French grouping; U+00A0 renders in every mail client.)
const nbsp = "\u00a0"

// locale is what formatting needs to know about one language. Nothing here
// goes through floating point: amounts are regrouped from money.FormatMinor.
type locale struct {
	group, decimal string
	// minGroup is CLDR's minimum grouping digits: Spanish writes 1234 but 12.345.
	minGroup int
	// symbolFirst puts the currency before the amount ("€1,234.56", "€ 1.234,56").
	symbolFirst bool
	// symbolSpace separates symbol and amount with a non-breaking space; when false
	// (English) a space is still added for alphabetic symbols ("KWD 12.345").
	symbolSpace bool
	// minusAfterSymbol writes "€ -1.234,56" (Dutch) instead of "-€ 1.234,56".
	minusAfterSymbol bool

	longDate  func(day int, month time.Month, year int) string
	shortDate func(day int, month time.Month, year int) string

	and        string // list conjunction: "A, B and C"
	spokenPlus string // joins spoken amounts in different currencies
	spokenAnd  string // joins units and minor units: "12 euros and 50 cents"
	minus      string // spoken sign of a negative amount
	// one reports whether n takes the singular ("one") plural form.
	one func(n int64) bool
	// names are spoken currency names: singular, plural, minor singular, minor plural.
	names map[string][4]string
}

func oneIsOne(n int64) bool       { return n == 1 || n == -1 }
func zeroOrOneIsOne(n int64) bool { return n >= -1 && n <= 1 }

var (
	enMonths = [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	frMonths = [12]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
	deMonths = [12]string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"}
	esMonths = [12]string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"}
	itMonths = [12]string{"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"}
	nlMonths = [12]string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"}
	ptMonths = [12]string{"janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro"}

	// Polish dates use the genitive month: "2 stycznia 2026".
	plMonths = [12]string{"stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września", "października", "listopada", "grudnia"}
	// Arabic as written in the Gulf states and Egypt (not the Levantine كانون الثاني...).
	arMonths = [12]string{"يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"}

	enShort = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	frShort = [12]string{"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."}
	esShort = [12]string{"ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"}
	itShort = [12]string{"gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"}
	nlShort = [12]string{"jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"}
)

// dayMonthYear is "2 January 2026" with the given month names and glue.
func dayMonthYear(months [12]string, sep string) func(int, time.Month, int) string {
	return func(d int, m time.Month, y int) string {
		return strconv.Itoa(d) + sep + months[m-1] + sep + strconv.Itoa(y)
	}
}

// dayMonthYearNumeric formats 02<sep>01<sep>2026.
func dayMonthYearNumeric(sep string) func(int, time.Month, int) string {
	return func(d int, m time.Month, y int) string { return pad2(d) + sep + pad2(int(m)) + sep + strconv.Itoa(y) }
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

var locales = map[string]*locale{
	"en": {
		group: ",", decimal: ".", minGroup: 1, symbolFirst: true,
		longDate:  dayMonthYear(enMonths, " "),
		shortDate: dayMonthYear(enShort, " "),
		and:       " and ", spokenPlus: ", plus ", spokenAnd: " and ", minus: "minus ",
		one: oneIsOne,
		names: map[string][4]string{
			"EUR": {"euro", "euros", "cent", "cents"},
			"USD": {"US dollar", "US dollars", "cent", "cents"},
			"GBP": {"pound sterling", "pounds sterling", "penny", "pence"},
			"CHF": {"Swiss franc", "Swiss francs", "centime", "centimes"},
			"CAD": {"Canadian dollar", "Canadian dollars", "cent", "cents"},
			"JPY": {"yen", "yen", "", ""},
			"KWD": {"Kuwaiti dinar", "Kuwaiti dinars", "fils", "fils"},
		},
	},
	"fr": {
		group: nbsp, decimal: ",", minGroup: 1, symbolSpace: true,
		longDate: func(d int, m time.Month, y int) string {
			day := strconv.Itoa(d)
			if d == 1 {
				day = "1er"
			}
			return day + " " + frMonths[m-1] + " " + strconv.Itoa(y)
		},
		shortDate: dayMonthYear(frShort, " "),
		and:       " et ", spokenPlus: ", ainsi que ", spokenAnd: " et ", minus: "moins ",
		one: zeroOrOneIsOne,
		names: map[string][4]string{
			"EUR": {"euro", "euros", "centime", "centimes"},
			"USD": {"dollar américain", "dollars américains", "cent", "cents"},
			"GBP": {"livre sterling", "livres sterling", "penny", "pence"},
			"CHF": {"franc suisse", "francs suisses", "centime", "centimes"},
			"CAD": {"dollar canadien", "dollars canadiens", "cent", "cents"},
			"JPY": {"yen", "yens", "", ""},
			"KWD": {"dinar koweïtien", "dinars koweïtiens", "fils", "fils"},
		},
	},
	"de": {
		group: ".", decimal: ",", minGroup: 1, symbolSpace: true,
		longDate: func(d int, m time.Month, y int) string {
			return strconv.Itoa(d) + ". " + deMonths[m-1] + " " + strconv.Itoa(y)
		},
		shortDate: dayMonthYearNumeric("."),
		and:       " und ", spokenPlus: " sowie ", spokenAnd: " und ", minus: "minus ",
		one: oneIsOne,
		names: map[string][4]string{
			"EUR": {"Euro", "Euro", "Cent", "Cent"},
			"USD": {"US-Dollar", "US-Dollar", "Cent", "Cent"},
			"GBP": {"Pfund Sterling", "Pfund Sterling", "Penny", "Pence"},
			"CHF": {"Schweizer Franken", "Schweizer Franken", "Rappen", "Rappen"},
			"CAD": {"Kanadischer Dollar", "Kanadische Dollar", "Cent", "Cent"},
			"JPY": {"Yen", "Yen", "", ""},
			"KWD": {"Kuwait-Dinar", "Kuwait-Dinar", "Fils", "Fils"},
		},
	},
	"es": {
		group: ".", decimal: ",", minGroup: 2, symbolSpace: true,
		longDate:  dayMonthYear(esMonths, " de "),
		shortDate: dayMonthYear(esShort, " "),
		and:       " y ", spokenPlus: ", más ", spokenAnd: " con ", minus: "menos ",
		one: oneIsOne,
		names: map[string][4]string{
			"EUR": {"euro", "euros", "céntimo", "céntimos"},
			"USD": {"dólar estadounidense", "dólares estadounidenses", "centavo", "centavos"},
			"GBP": {"libra esterlina", "libras esterlinas", "penique", "peniques"},
			"CHF": {"franco suizo", "francos suizos", "céntimo", "céntimos"},
			"CAD": {"dólar canadiense", "dólares canadienses", "centavo", "centavos"},
			"JPY": {"yen", "yenes", "", ""},
			"KWD": {"dinar kuwaití", "dinares kuwaitíes", "fils", "fils"},
		},
	},
	"it": {
		group: ".", decimal: ",", minGroup: 1, symbolSpace: true,
		longDate:  dayMonthYear(itMonths, " "),
		shortDate: dayMonthYear(itShort, " "),
		and:       " e ", spokenPlus: ", più ", spokenAnd: " e ", minus: "meno ",
		one: oneIsOne,
		names: map[string][4]string{
			"EUR": {"euro", "euro", "centesimo", "centesimi"},
			"USD": {"dollaro statunitense", "dollari statunitensi", "centesimo", "centesimi"},
			"GBP": {"sterlina", "sterline", "penny", "pence"},
			"CHF": {"franco svizzero", "franchi svizzeri", "centesimo", "centesimi"},
			"CAD": {"dollaro canadese", "dollari canadesi", "centesimo", "centesimi"},
			"JPY": {"yen", "yen", "", ""},
			"KWD": {"dinaro kuwaitiano", "dinari kuwaitiani", "fils", "fils"},
		},
	},
	"nl": {
		group: ".", decimal: ",", minGroup: 1, symbolFirst: true, symbolSpace: true, minusAfterSymbol: true,
		longDate:  dayMonthYear(nlMonths, " "),
		shortDate: dayMonthYear(nlShort, " "),
		and:       " en ", spokenPlus: ", plus ", spokenAnd: " en ", minus: "min ",
		one: oneIsOne,
		names: map[string][4]string{
			"EUR": {"euro", "euro", "cent", "cent"},
			"USD": {"Amerikaanse dollar", "Amerikaanse dollar", "cent", "cent"},
			"GBP": {"Brits pond", "Britse pond", "penny", "pence"},
			"CHF": {"Zwitserse frank", "Zwitserse frank", "rappen", "rappen"},
			"CAD": {"Canadese dollar", "Canadese dollar", "cent", "cent"},
			"JPY": {"yen", "yen", "", ""},
			"KWD": {"Koeweitse dinar", "Koeweitse dinar", "fils", "fils"},
		},
	},
	// Portuguese as written in Portugal (the shipped templates' variant) for
	// words; amounts keep the symbol first, which Brazilian readers expect and
	// Portuguese ones read without trouble.
	"pt": {
		group: ".", decimal: ",", minGroup: 1, symbolFirst: true, symbolSpace: true,
		longDate:  dayMonthYear(ptMonths, " de "),
		shortDate: dayMonthYearNumeric("/"),
		and:       " e ", spokenPlus: ", mais ", spokenAnd: " e ", minus: "menos ",
		one: zeroOrOneIsOne,
		names: map[string][4]string{
			"EUR": {"euro", "euros", "cêntimo", "cêntimos"},
			"USD": {"dólar americano", "dólares americanos", "centavo", "centavos"},
			"GBP": {"libra esterlina", "libras esterlinas", "péni", "pence"},
			"CHF": {"franco suíço", "francos suíços", "cêntimo", "cêntimos"},
			"CAD": {"dólar canadense", "dólares canadenses", "centavo", "centavos"},
			"JPY": {"iene", "ienes", "", ""},
			"KWD": {"dinar kuwaitiano", "dinares kuwaitianos", "fils", "fils"},
		},
	},
	// Polish: "1 234,56 zł", but 4-digit numbers ungrouped (CLDR minimum grouping 2).
	"pl": {
		group: nbsp, decimal: ",", minGroup: 2, symbolSpace: true,
		longDate:  dayMonthYear(plMonths, " "),
		shortDate: dayMonthYearNumeric("."),
		and:       " i ", spokenPlus: " oraz ", spokenAnd: " i ", minus: "minus ",
		// Polish has three plural forms (1 faktura, 2 faktury, 5 faktur): the
		// shipped Polish templates avoid counted nouns ("faktury: 3").
		one: oneIsOne,
		names: map[string][4]string{
			"PLN": {"złoty", "złotych", "grosz", "groszy"},
			"EUR": {"euro", "euro", "cent", "centów"},
			"JPY": {"jen", "jenów", "", ""},
			"KWD": {"dinar kuwejcki", "dinarów kuwejckich", "fils", "fils"},
		},
	},
	// Arabic: Latin digits with "." and "," (what Gulf invoices, banks and
	// ERPs print, and what a customer types in a bank transfer), amount then
	// symbol: "1,234.500 د.ك.‏". Dates "2 يناير 2026" and "02/01/2026".
	"ar": {
		group: ",", decimal: ".", minGroup: 1, symbolSpace: true,
		longDate:  dayMonthYear(arMonths, " "),
		shortDate: dayMonthYearNumeric("/"),
		and:       " و", spokenPlus: "، بالإضافة إلى ", spokenAnd: " و", minus: "سالب ",
		one: oneIsOne,
		names: map[string][4]string{
			"KWD": {"دينار كويتي", "دينار كويتي", "فلس", "فلس"},
			"BHD": {"دينار بحريني", "دينار بحريني", "فلس", "فلس"},
			"SAR": {"ريال سعودي", "ريال سعودي", "هللة", "هللة"},
			"AED": {"درهم إماراتي", "درهم إماراتي", "فلس", "فلس"},
			"USD": {"دولار أمريكي", "دولار أمريكي", "سنت", "سنت"},
			"EUR": {"يورو", "يورو", "سنت", "سنت"},
			"JPY": {"ين ياباني", "ين ياباني", "", ""},
		},
	},
	// Japanese: "￥120,000", "€1,234.56"; dates "2026年1月2日", "2026/01/02".
	// No plural: one is always false, so {{plural}} gives its second word.
	"ja": {
		group: ",", decimal: ".", minGroup: 1, symbolFirst: true,
		longDate: func(d int, m time.Month, y int) string {
			return strconv.Itoa(y) + "年" + strconv.Itoa(int(m)) + "月" + strconv.Itoa(d) + "日"
		},
		shortDate: func(d int, m time.Month, y int) string { return strconv.Itoa(y) + "/" + pad2(int(m)) + "/" + pad2(d) },
		and:       "、", spokenPlus: "、および ", spokenAnd: " ", minus: "マイナス ",
		one: func(int64) bool { return false },
		names: map[string][4]string{
			"JPY": {"円", "円", "", ""},
			"EUR": {"ユーロ", "ユーロ", "セント", "セント"},
			"USD": {"米ドル", "米ドル", "セント", "セント"},
			"KWD": {"クウェート・ディナール", "クウェート・ディナール", "フィルス", "フィルス"},
		},
	},
}

// localeFor returns the locale of a base language, English for the others.
func localeFor(lang string) *locale {
	if l, ok := locales[lang]; ok {
		return l
	}
	return locales["en"]
}

// symbols caches CLDR currency symbols per language ("€", "$US" in French,
// "KWD"). Only the symbol is taken from x/text: its amount formatting would
// need a float for fractional amounts.
var symbols sync.Map // lang+"/"+code → string

func currencySymbol(lang, code string) string {
	key := lang + "/" + code
	if s, ok := symbols.Load(key); ok {
		return s.(string)
	}
	sym := code
	if unit, err := currency.ParseISO(code); err == nil {
		tag, err := language.Parse(lang)
		if err != nil {
			tag = language.English
		}
		sym = message.NewPrinter(tag).Sprint(currency.Symbol(unit))
	}
	symbols.Store(key, sym)
	return sym
}

var errNoCurrency = errors.New("amount has no currency")

// splitAmount returns the sign and the whole and fractional digit strings of m.
func splitAmount(m money.Money) (neg bool, whole, frac string) {
	s := money.FormatMinor(m.Minor, m.Currency)
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	}
	whole, frac, _ = strings.Cut(s, ".")
	return neg, whole, frac
}

// groupDigits inserts sep every three digits from the right when the number is
// long enough for the locale's minimum grouping.
func groupDigits(digits, sep string, minGroup int) string {
	if len(digits) < 3+minGroup {
		return digits
	}
	var b strings.Builder
	first := len(digits) % 3
	if first == 0 {
		first = 3
	}
	b.WriteString(digits[:first])
	for i := first; i < len(digits); i += 3 {
		b.WriteString(sep)
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}

// FormatMoney formats m the way lang writes amounts: "€1,234.56" (en),
// "1 234,56 €" (fr), "1.234,56 €" (de), "¥120,000" (en), "12,345 KWD" (fr).
// Spaces are non-breaking. It is the `money` template function of the
// email channel; it never uses floating point.
func FormatMoney(lang string, m money.Money) (string, error) {
	if m.Currency.IsZero() {
		return "", errNoCurrency
	}
	l := localeFor(baseOrEmpty(lang))
	neg, whole, frac := splitAmount(m)
	num := groupDigits(whole, l.group, l.minGroup)
	if frac != "" {
		num += l.decimal + frac
	}
	sym := currencySymbol(baseOrEmpty(lang), m.Currency.Code())
	sign := ""
	if neg {
		sign = "-"
	}
	if !l.symbolFirst {
		return sign + num + nbsp + sym, nil
	}
	sep := ""
	if l.symbolSpace {
		sep = nbsp
	} else if r, _ := utf8.DecodeLastRuneInString(sym); unicode.IsLetter(r) {
		sep = nbsp // "KWD 12.345", "CHF 1,234.56"; but "€1,234.56", "CA$1.00"
	}
	if l.minusAfterSymbol {
		return sym + sep + sign + num, nil
	}
	return sign + sym + sep + num, nil
}

// SpokenMoney writes m for a text-to-speech voice: digits without grouping
// (every engine reads "1234" right) and currency names in words, such as
// "1234 euros and 56 cents", "1234 euros et 56 centimes", "120000 yen",
// "12 Kuwaiti dinars and 345 fils". Currencies without a name in the
// language are read as digits and ISO code.
func SpokenMoney(lang string, m money.Money) (string, error) {
	if m.Currency.IsZero() {
		return "", errNoCurrency
	}
	l := localeFor(baseOrEmpty(lang))
	neg, whole, frac := splitAmount(m)
	sign := ""
	if neg {
		sign = l.minus
	}
	names, ok := l.names[m.Currency.Code()]
	if !ok || (frac != "" && names[2] == "") {
		num := whole
		if frac != "" {
			num += l.decimal + frac
		}
		return sign + num + " " + m.Currency.Code(), nil
	}
	w, _ := strconv.ParseInt(whole, 10, 64) // digits from FormatMinor: always parses
	minor := strings.TrimLeft(frac, "0")
	mi, _ := strconv.ParseInt("0"+minor, 10, 64)
	major := names[1]
	if l.one(w) {
		major = names[0]
	}
	if mi == 0 {
		return sign + whole + " " + major, nil
	}
	minorName := names[3]
	if l.one(mi) {
		minorName = names[2]
	}
	if w == 0 {
		return sign + minor + " " + minorName, nil
	}
	return sign + whole + " " + major + l.spokenAnd + minor + " " + minorName, nil
}

// FormatDate writes a date the long way of lang: "2 January 2026",
// "1er janvier 2026", "2. Januar 2026", "2 de enero de 2026", "2 gennaio 2026",
// "2 januari 2026". Use it to fill Data.Today. The zero time gives "".
func FormatDate(lang string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	y, m, d := t.Date()
	return localeFor(baseOrEmpty(lang)).longDate(d, m, y)
}

// FormatShortDate writes a date the compact way of lang, for tables:
// "2 Jan 2026", "2 janv. 2026", "02.01.2026", "2 ene 2026", "2 gen 2026", "2 jan 2026".
func FormatShortDate(lang string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	y, m, d := t.Date()
	return localeFor(baseOrEmpty(lang)).shortDate(d, m, y)
}

// plainSpaces turns the non-breaking spaces of formatted amounts into plain
// ones: SMS are sent in the GSM 7-bit alphabet, which has no U+00A0, and a
// single character outside it makes every segment three times dearer.
func plainSpaces(s string) string {
	return strings.NewReplacer("\u00a0", " ", "\u202f", " ").Replace(s)
}

// funcMap returns the template functions, bound to the template's language and
// channel. The names and behaviour are documented in the package comment.
func funcMap(lang string, ch domain.Channel) map[string]any {
	l := localeFor(lang)
	fmtMoney := func(m money.Money) (string, error) {
		s, err := FormatMoney(lang, m)
		if ch != domain.ChannelEmail {
			s = plainSpaces(s)
		}
		return s, err
	}
	spoken := func(m money.Money) (string, error) { return SpokenMoney(lang, m) }
	list := func(f func(money.Money) (string, error), last string, ts []Total) (string, error) {
		parts := make([]string, 0, len(ts))
		for _, t := range ts {
			s, err := f(t.Open)
			if err != nil {
				return "", err
			}
			parts = append(parts, s)
		}
		if len(parts) < 2 {
			return strings.Join(parts, ""), nil
		}
		return strings.Join(parts[:len(parts)-1], ", ") + last + parts[len(parts)-1], nil
	}
	return map[string]any{
		"money":       fmtMoney,
		"spokenMoney": spoken,
		"moneyList": func(ts []Total) (string, error) {
			return list(fmtMoney, l.and, ts)
		},
		"spokenMoneyList": func(ts []Total) (string, error) {
			parts := make([]string, 0, len(ts))
			for _, t := range ts {
				s, err := spoken(t.Open)
				if err != nil {
					return "", err
				}
				parts = append(parts, s)
			}
			return strings.Join(parts, l.spokenPlus), nil
		},
		// dir is "rtl" for languages written right to left, for <html dir="{{dir}}">
		// in a credit manager's own HTML.
		"dir": func() string {
			if rightToLeft[lang] {
				return "rtl"
			}
			return "ltr"
		},
		"date":      func(t time.Time) string { return FormatDate(lang, t) },
		"shortDate": func(t time.Time) string { return FormatShortDate(lang, t) },
		"plural": func(n int, one, other string) string {
			if l.one(int64(n)) {
				return one
			}
			return other
		},
	}
}
