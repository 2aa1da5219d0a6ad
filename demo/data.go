package demo

// The fixed part of the data set: the group's entities, its users, and the
// word lists customers are built from. Everything is fictional: the group is
// "Orrery", mail domains use the reserved .example TLD, and phone numbers come
// from ranges regulators keep out of service for fiction where one exists.

// city is where a customer sits; tz overrides the locale's zone for countries
// that span several.
type city struct {
	name string
	tz   string
}

// nameStyle builds company names the way a country writes them.
type nameStyle struct {
	surnames   []string
	trades     []string
	tradeFirst bool     // "Boulangerie Martin" rather than "Müller Maschinenbau"
	family     []string // templates for a surname: "%s & Fils", "Groupe %s"
	public     []string // templates for a city: "Mairie de %s"
	forms      []string // legal forms, most common first
}

// locale is a country customers are in, with what goes with it.
type locale struct {
	country  string
	currency string
	language string
	tz       string
	cities   []city
	style    *nameStyle
	forms    []string // legal forms when they differ from the style's country
	// phones are number prefixes (E.164, with "+"); phoneDigits random digits follow.
	phones      []string
	phoneDigits int
	mailboxes   []string // accounts-payable mailbox names
}

func (l *locale) legalForms() []string {
	if l.forms != nil {
		return l.forms
	}
	return l.style.forms
}

// entity is a company of the group: it invoices its customers from its own ledger.
type entity struct {
	code, name string
	home       *locale
	abroad     []*locale // neighbouring countries a few of its customers are in
	invPrefix  string
	cnPrefix   string
	terms      []int // payment terms in days, drawn uniformly (repeats weight them)
	agents     []string
	reps       []string
}

type user struct{ email, name, role string }

const mailDomain = "recoup.example"

var users = []user{
	{"sofia.berg@" + mailDomain, "Sofia Berg", "admin"},
	{"claire.moreau@" + mailDomain, "Claire Moreau", "credit_manager"},
	{"julie.lambert@" + mailDomain, "Julie Lambert", "agent"},
	{"antoine.roux@" + mailDomain, "Antoine Roux", "agent"},
	{"thomas.weber@" + mailDomain, "Thomas Weber", "agent"},
	{"sarah.collins@" + mailDomain, "Sarah Collins", "agent"},
	{"mike.rivera@" + mailDomain, "Mike Rivera", "agent"},
	{"lucia.ortega@" + mailDomain, "Lucía Ortega", "agent"},
	{"giulia.conti@" + mailDomain, "Giulia Conti", "agent"},
	{"kenji.sato@" + mailDomain, "Kenji Sato", "agent"},
	{"fatima.alsayegh@" + mailDomain, "Fatima Al-Sayegh", "agent"},
	{"marc.dubois@" + mailDomain, "Marc Dubois", "sales_rep"},
	{"anna.schmidt@" + mailDomain, "Anna Schmidt", "sales_rep"},
	{"james.porter@" + mailDomain, "James Porter", "sales_rep"},
	{"yuki.tanaka@" + mailDomain, "Yuki Tanaka", "sales_rep"},
	{"omar.haddad@" + mailDomain, "Omar Haddad", "sales_rep"},
	{"ingrid.holm@" + mailDomain, "Ingrid Holm", "auditor"},
}

func u(name string) string { return name + "@" + mailDomain }

var (
	styleFR = &nameStyle{
		surnames: []string{"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
			"Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine"},
		trades: []string{"Boulangerie", "Transports", "Menuiserie", "Garage", "Pharmacie", "Imprimerie", "Quincaillerie",
			"Électricité", "Plomberie", "Fromagerie", "Librairie", "Ateliers", "Bâtiment", "Distribution", "Charpente"},
		tradeFirst: true,
		family:     []string{"%s & Fils", "Groupe %s", "Établissements %s"},
		public:     []string{"Mairie de %s", "Centre Hospitalier de %s", "Lycée Jean Moulin de %s"},
		forms:      []string{"SARL", "SAS", "SAS", "SA", "EURL"},
	}
	styleDE = &nameStyle{
		surnames: []string{"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
			"Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger"},
		trades: []string{"Maschinenbau", "Logistik", "Elektrotechnik", "Bau", "Metallbau", "Holzbau", "Autohaus", "Druckerei",
			"Bäckerei", "Handel", "Medizintechnik", "Kunststofftechnik", "Verpackung", "Haustechnik"},
		family: []string{"Gebrüder %s", "%s & Söhne", "%s Gruppe"},
		public: []string{"Stadtwerke %s", "Stadtverwaltung %s", "Klinikum %s"},
		forms:  []string{"GmbH", "GmbH", "GmbH & Co. KG", "AG", "KG", "e.K."},
	}
	styleGB = &nameStyle{
		surnames: []string{"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson",
			"Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke"},
		trades: []string{"Engineering", "Logistics", "Building Supplies", "Print", "Foods", "Joinery", "Motors",
			"Electrical", "Packaging", "Hardware", "Textiles", "Plant Hire"},
		family: []string{"%s & Sons", "%s Group", "%s Brothers"},
		public: []string{"%s City Council", "%s Borough Council", "%s College"},
		forms:  []string{"Ltd", "Ltd", "Limited", "PLC", "LLP"},
	}
	styleUS = &nameStyle{
		surnames: []string{"Miller", "Davis", "Anderson", "Martinez", "Moore", "Clark", "Lewis", "Walker", "Hall", "Allen",
			"Young", "King", "Scott", "Baker", "Adams", "Nelson", "Carter", "Mitchell", "Parker", "Turner"},
		trades: []string{"Industries", "Supply", "Manufacturing", "Logistics", "Foods", "Electric", "Hardware",
			"Construction", "Medical Supply", "Packaging", "Tool & Die", "Freight"},
		family: []string{"%s Brothers", "%s Holdings", "%s & Co"},
		public: []string{"City of %s", "%s Public Schools", "%s Water Department"},
		forms:  []string{"Inc.", "Inc.", "LLC", "LLC", "Corp."},
	}
	styleES = &nameStyle{
		surnames: []string{"García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez",
			"Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Navarro"},
		trades: []string{"Construcciones", "Transportes", "Distribuciones", "Panadería", "Talleres", "Suministros",
			"Muebles", "Electricidad", "Alimentación", "Farmacia", "Ferretería"},
		tradeFirst: true,
		family:     []string{"Hermanos %s", "Grupo %s", "%s e Hijos"},
		public:     []string{"Ayuntamiento de %s", "Hospital General de %s", "Universidad de %s"},
		forms:      []string{"SL", "SL", "SA", "SLU"},
	}
	stylePT = &nameStyle{
		surnames:   []string{"Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues", "Martins", "Sousa", "Gomes"},
		trades:     []string{"Construções", "Transportes", "Distribuição", "Comércio", "Metalúrgica", "Têxteis"},
		tradeFirst: true,
		family:     []string{"%s & Filhos", "Grupo %s"},
		public:     []string{"Câmara Municipal de %s"},
		forms:      []string{"Lda", "Lda", "SA"},
	}
	styleIT = &nameStyle{
		surnames: []string{"Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino",
			"Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Moretti"},
		trades: []string{"Costruzioni", "Trasporti", "Forniture", "Panificio", "Officine", "Meccanica", "Arredamenti",
			"Alimentari", "Impianti Elettrici", "Tessuti", "Ceramiche"},
		tradeFirst: true,
		family:     []string{"Fratelli %s", "Gruppo %s", "%s & Figli"},
		public:     []string{"Comune di %s", "Azienda Ospedaliera di %s", "Università di %s"},
		forms:      []string{"Srl", "Srl", "SpA", "Snc", "Sas"},
	}
	styleJP = &nameStyle{
		surnames: []string{"Yamada", "Tanaka", "Suzuki", "Sato", "Takahashi", "Watanabe", "Ito", "Nakamura", "Kobayashi",
			"Kato", "Yoshida", "Yamamoto", "Sasaki", "Matsumoto", "Inoue"},
		trades: []string{"Shoji", "Sangyo", "Kogyo", "Seisakusho", "Denki", "Kensetsu", "Butsuryu", "Shokuhin", "Boeki", "Tsusho"},
		family: []string{"%s Holdings", "%s Group"},
		public: []string{"%s City Office", "%s Municipal Hospital", "%s Board of Education"},
		forms:  []string{"KK", "KK", "Co., Ltd."},
	}
	styleGulf = &nameStyle{
		surnames: []string{"Al-Mutairi", "Al-Ajmi", "Al-Rashidi", "Al-Enezi", "Al-Kandari", "Al-Shammari", "Al-Otaibi",
			"Al-Hajri", "Al-Azmi", "Behbehani", "Al-Saleh", "Dashti"},
		trades: []string{"General Trading & Contracting", "Trading", "Contracting", "Foodstuff", "Electrical Equipment",
			"Medical Supplies", "Logistics", "Building Materials"},
		family: []string{"%s Brothers", "%s Group"},
		public: []string{"%s Cooperative Society", "%s Health District"},
		forms:  []string{"Co. W.L.L.", "W.L.L.", "K.S.C.C."},
	}
)

// Phone prefixes: GB (Ofcom), US/CA (555-01xx), DE (Bundesnetzagentur) and FR
// (ARCEP's 01 99 00 block) are ranges kept for fiction; the other countries
// have none, so their numbers are merely well-formed.
var (
	locFR = &locale{country: "FR", currency: "EUR", language: "fr", tz: "Europe/Paris", style: styleFR,
		cities: cities("Paris", "Lyon", "Marseille", "Toulouse", "Nantes", "Lille", "Bordeaux", "Strasbourg", "Rennes",
			"Montpellier", "Grenoble", "Dijon"),
		phones: []string{"+3319900"}, phoneDigits: 4, mailboxes: []string{"compta", "comptabilite", "factures", "fournisseurs"}}
	locBE = &locale{country: "BE", currency: "EUR", language: "fr", tz: "Europe/Brussels", style: styleFR,
		forms: []string{"SRL", "SA"}, cities: cities("Bruxelles", "Liège", "Namur", "Charleroi"),
		phones: []string{"+322"}, phoneDigits: 7, mailboxes: []string{"comptabilite", "factures"}}
	locCHfr = &locale{country: "CH", currency: "CHF", language: "fr", tz: "Europe/Zurich", style: styleFR,
		forms: []string{"SA", "Sàrl"}, cities: cities("Genève", "Lausanne", "Neuchâtel"),
		phones: []string{"+4122"}, phoneDigits: 7, mailboxes: []string{"comptabilite", "factures"}}
	locDE = &locale{country: "DE", currency: "EUR", language: "de", tz: "Europe/Berlin", style: styleDE,
		cities: cities("Berlin", "Hamburg", "München", "Köln", "Frankfurt", "Stuttgart", "Düsseldorf", "Leipzig",
			"Dresden", "Hannover", "Nürnberg", "Bremen"),
		phones: []string{"+493023125", "+496990009", "+494066969", "+492214710", "+498999998"}, phoneDigits: 3,
		mailboxes: []string{"buchhaltung", "rechnungen", "kreditoren"}}
	locAT = &locale{country: "AT", currency: "EUR", language: "de", tz: "Europe/Vienna", style: styleDE,
		forms: []string{"GmbH", "AG", "KG"}, cities: cities("Wien", "Graz", "Linz", "Salzburg"),
		phones: []string{"+431"}, phoneDigits: 7, mailboxes: []string{"buchhaltung", "rechnungen"}}
	locCHde = &locale{country: "CH", currency: "CHF", language: "de", tz: "Europe/Zurich", style: styleDE,
		forms: []string{"AG", "GmbH"}, cities: cities("Zürich", "Basel", "Bern", "Luzern"),
		phones: []string{"+4144"}, phoneDigits: 7, mailboxes: []string{"buchhaltung", "kreditoren"}}
	locGB = &locale{country: "GB", currency: "GBP", language: "en", tz: "Europe/London", style: styleGB,
		cities: cities("London", "Manchester", "Birmingham", "Leeds", "Glasgow", "Bristol", "Liverpool", "Sheffield",
			"Edinburgh", "Cardiff", "Nottingham"),
		phones: []string{"+447700900", "+442079460", "+441614960"}, phoneDigits: 3,
		mailboxes: []string{"accounts", "accounts.payable", "invoices", "finance"}}
	locIE = &locale{country: "IE", currency: "EUR", language: "en", tz: "Europe/Dublin", style: styleGB,
		forms: []string{"Ltd", "DAC"}, cities: cities("Dublin", "Cork", "Galway", "Limerick"),
		phones: []string{"+3531"}, phoneDigits: 7, mailboxes: []string{"accounts", "invoices"}}
	locUS = &locale{country: "US", currency: "USD", language: "en", tz: "America/New_York", style: styleUS,
		cities: []city{{"New York", ""}, {"Boston", ""}, {"Philadelphia", ""}, {"Atlanta", ""},
			{"Chicago", "America/Chicago"}, {"Houston", "America/Chicago"}, {"Dallas", "America/Chicago"},
			{"Denver", "America/Denver"}, {"Phoenix", "America/Phoenix"}, {"Los Angeles", "America/Los_Angeles"},
			{"Seattle", "America/Los_Angeles"}, {"San Diego", "America/Los_Angeles"}},
		phones:      []string{"+121255501", "+161755501", "+131255501", "+171355501", "+130355501", "+121355501"},
		phoneDigits: 2, mailboxes: []string{"ap", "accountspayable", "invoices", "billing"}}
	locCA = &locale{country: "CA", currency: "CAD", language: "en", tz: "America/Toronto", style: styleUS,
		forms: []string{"Inc.", "Ltd."},
		cities: []city{{"Toronto", ""}, {"Montreal", ""}, {"Ottawa", ""}, {"Vancouver", "America/Vancouver"},
			{"Calgary", "America/Edmonton"}},
		phones: []string{"+141655501", "+160455501"}, phoneDigits: 2, mailboxes: []string{"ap", "payables"}}
	locMX = &locale{country: "MX", currency: "USD", language: "es", tz: "America/Mexico_City", style: styleES,
		forms:  []string{"S.A. de C.V.", "S. de R.L. de C.V."},
		cities: []city{{"Ciudad de México", ""}, {"Guadalajara", ""}, {"Monterrey", "America/Monterrey"}},
		phones: []string{"+5255"}, phoneDigits: 8, mailboxes: []string{"cuentasporpagar", "facturas"}}
	locES = &locale{country: "ES", currency: "EUR", language: "es", tz: "Europe/Madrid", style: styleES,
		cities: []city{{"Madrid", ""}, {"Barcelona", ""}, {"Valencia", ""}, {"Sevilla", ""}, {"Zaragoza", ""},
			{"Málaga", ""}, {"Bilbao", ""}, {"Las Palmas", "Atlantic/Canary"}},
		phones: []string{"+3491"}, phoneDigits: 7, mailboxes: []string{"contabilidad", "facturas", "proveedores"}}
	locPT = &locale{country: "PT", currency: "EUR", language: "pt", tz: "Europe/Lisbon", style: stylePT,
		cities: cities("Lisboa", "Porto", "Braga"),
		phones: []string{"+35121"}, phoneDigits: 7, mailboxes: []string{"contabilidade", "faturas"}}
	locIT = &locale{country: "IT", currency: "EUR", language: "it", tz: "Europe/Rome", style: styleIT,
		cities: cities("Milano", "Roma", "Torino", "Napoli", "Bologna", "Firenze", "Genova", "Verona", "Bari"),
		phones: []string{"+3902"}, phoneDigits: 8, mailboxes: []string{"amministrazione", "contabilita", "fatture"}}
	locCHit = &locale{country: "CH", currency: "CHF", language: "it", tz: "Europe/Zurich", style: styleIT,
		forms: []string{"SA", "Sagl"}, cities: cities("Lugano", "Bellinzona"),
		phones: []string{"+4191"}, phoneDigits: 7, mailboxes: []string{"amministrazione"}}
	locJP = &locale{country: "JP", currency: "JPY", language: "ja", tz: "Asia/Tokyo", style: styleJP,
		cities: cities("Tokyo", "Osaka", "Yokohama", "Nagoya", "Sapporo", "Fukuoka", "Kobe", "Kyoto", "Sendai"),
		phones: []string{"+813"}, phoneDigits: 8, mailboxes: []string{"keiri", "seikyu", "accounting"}}
	locKW = &locale{country: "KW", currency: "KWD", language: "ar", tz: "Asia/Kuwait", style: styleGulf,
		cities: cities("Kuwait City", "Salmiya", "Hawalli", "Jahra", "Farwaniya", "Fahaheel", "Jabriya", "Mangaf"),
		phones: []string{"+9652"}, phoneDigits: 7, mailboxes: []string{"accounts", "finance", "ap"}}
	locSA = &locale{country: "SA", currency: "SAR", language: "ar", tz: "Asia/Riyadh", style: styleGulf,
		forms: []string{"Co. Ltd.", "LLC"}, cities: cities("Riyadh", "Jeddah", "Dammam"),
		phones: []string{"+96611"}, phoneDigits: 7, mailboxes: []string{"accounts", "finance"}}
	locBH = &locale{country: "BH", currency: "BHD", language: "ar", tz: "Asia/Bahrain", style: styleGulf,
		forms: []string{"W.L.L.", "B.S.C. (c)"}, cities: cities("Manama", "Muharraq"),
		phones: []string{"+97317"}, phoneDigits: 6, mailboxes: []string{"accounts"}}
)

func cities(names ...string) []city {
	cs := make([]city, len(names))
	for i, n := range names {
		cs[i] = city{name: n}
	}
	return cs
}

var entities = []*entity{
	{code: "FR01", name: "Orrery France SAS", home: locFR, abroad: []*locale{locBE, locCHfr},
		invPrefix: "FA", cnPrefix: "AV", terms: []int{30, 45, 45, 60},
		agents: []string{u("julie.lambert"), u("antoine.roux")}, reps: []string{u("marc.dubois")}},
	{code: "DE01", name: "Orrery Deutschland GmbH", home: locDE, abroad: []*locale{locAT, locCHde},
		invPrefix: "RE", cnPrefix: "GS", terms: []int{30, 30, 45, 60},
		agents: []string{u("thomas.weber")}, reps: []string{u("anna.schmidt")}},
	{code: "GB01", name: "Orrery UK Ltd", home: locGB, abroad: []*locale{locIE},
		invPrefix: "INV", cnPrefix: "CN", terms: []int{30, 30, 45, 60},
		agents: []string{u("sarah.collins")}, reps: []string{u("james.porter")}},
	{code: "US01", name: "Orrery Americas Inc.", home: locUS, abroad: []*locale{locCA, locMX},
		invPrefix: "INV", cnPrefix: "CM", terms: []int{30, 30, 30, 45, 60},
		agents: []string{u("mike.rivera")}, reps: []string{u("james.porter")}},
	{code: "ES01", name: "Orrery Iberia SL", home: locES, abroad: []*locale{locPT},
		invPrefix: "FAC", cnPrefix: "AB", terms: []int{30, 60, 60},
		agents: []string{u("lucia.ortega")}, reps: []string{u("marc.dubois")}},
	{code: "IT01", name: "Orrery Italia Srl", home: locIT, abroad: []*locale{locCHit},
		invPrefix: "FT", cnPrefix: "NC", terms: []int{30, 60, 60},
		agents: []string{u("giulia.conti")}, reps: []string{u("marc.dubois")}},
	{code: "JP01", name: "Orrery Japan KK", home: locJP,
		invPrefix: "SK", cnPrefix: "HK", terms: []int{30, 60},
		agents: []string{u("kenji.sato")}, reps: []string{u("yuki.tanaka")}},
	{code: "KW01", name: "Orrery Gulf W.L.L.", home: locKW, abroad: []*locale{locSA, locBH},
		invPrefix: "INV", cnPrefix: "CN", terms: []int{30, 60, 60},
		agents: []string{u("fatima.alsayegh")}, reps: []string{u("omar.haddad")}},
}

// entityDeck is one block of customers by entity index: each block of
// len(entityDeck) customers holds exactly these, shuffled, so even a small
// data set has customers in every entity (and so in JPY and KWD).
var entityDeck = []int{0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 5, 6, 6, 7, 7}
