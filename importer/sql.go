package importer

// The SQL of the import path. Each check moves the staged rows that fail it
// into import_rejections ($1 is the import id) so later steps only see good
// rows; an upsert answers (inserted, updated).

const createImport = `INSERT INTO imports (kind, source) VALUES ($1, $2) RETURNING id`

const finishImport = `
UPDATE imports SET finished_at = now(), inserted = $2, updated = $3, unchanged = $4, rejected = $5 WHERE id = $1`

// The lock serializes imports: payments allocate against open amounts that an
// invoice import may be changing.
const lockImports = `SELECT pg_advisory_xact_lock(7283001)`

// Bigger sorts and hashes in memory for the set-based checks of large files.
const tuneImportTx = `SET LOCAL work_mem = '64MB'`

// oweWake records, in the import's transaction, the wake-up of the accounts it
// touched that Temporal is owed (store.OutboxImportWake): paid when the app
// starts it, caught up by the worker when Temporal was unreachable.
const oweWake = `
INSERT INTO temporal_outbox (kind, ref, round) VALUES ('import.wake', $1, 0) ON CONFLICT (kind, ref, round) DO NOTHING`

const countRejections = `SELECT count(*) FROM import_rejections WHERE import_id = $1`

const listRejections = `
SELECT line, external_id, field, reason FROM import_rejections
WHERE import_id = $1 ORDER BY line, field LIMIT $2`

const checkDuplicateCode = `
WITH d AS (SELECT line, first_value(line) OVER (PARTITION BY code ORDER BY line) AS first FROM stage),
bad AS (DELETE FROM stage s USING d WHERE s.line = d.line AND d.line <> d.first RETURNING s.line, s.code, d.first)
INSERT INTO import_rejections (import_id, line, external_id, field, reason)
SELECT $1, line, code, 'code', format('duplicate code %s in this file (first at line %s)', code, first) FROM bad`

const checkDuplicateEmail = `
WITH d AS (SELECT line, first_value(line) OVER (PARTITION BY email ORDER BY line) AS first FROM stage),
bad AS (DELETE FROM stage s USING d WHERE s.line = d.line AND d.line <> d.first RETURNING s.line, s.email, d.first)
INSERT INTO import_rejections (import_id, line, external_id, field, reason)
SELECT $1, line, email, 'email', format('duplicate email %s in this file (first at line %s)', email, first) FROM bad`

const checkDuplicateExternalID = `
WITH d AS (SELECT line, first_value(line) OVER (PARTITION BY external_id ORDER BY line) AS first FROM stage),
bad AS (DELETE FROM stage s USING d WHERE s.line = d.line AND d.line <> d.first RETURNING s.line, s.external_id, d.first)
INSERT INTO import_rejections (import_id, line, external_id, field, reason)
SELECT $1, line, external_id, 'external_id', format('duplicate external_id %s in this file (first at line %s)', external_id, first) FROM bad`

// A new entity starts in the sending mode $1 (RECOUP_NEW_ENTITY_SENDING);
// an import never changes an existing entity's mode.
const upsertEntities = `
WITH up AS (
    INSERT INTO entities AS e (code, name, country, currency, timezone, language, sending)
    SELECT code, name, country, currency, timezone, language, $1 FROM stage
    ON CONFLICT (code) DO UPDATE SET
        name = excluded.name, country = excluded.country, currency = excluded.currency,
        timezone = excluded.timezone, language = excluded.language, updated_at = now()
    WHERE (e.name, e.country, e.currency, e.timezone, e.language)
        IS DISTINCT FROM (excluded.name, excluded.country, excluded.currency, excluded.timezone, excluded.language)
    RETURNING (xmax = 0) AS inserted)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up`

// checkManagedRoles: a user who signs in to Recoup has their role set in
// Recoup (recoup user add, or an admin), never by a file: an import token must
// not be able to raise anyone's rights.
const checkManagedRoles = `
WITH bad AS (
    DELETE FROM stage s USING users u
    WHERE u.email = s.email AND u.role <> s.role AND u.password_hash IS NOT NULL
    RETURNING s.line, s.email, u.role)
INSERT INTO import_rejections (import_id, line, external_id, field, reason)
SELECT $1, line, email, 'role', format('%s signs in to Recoup as %s; change the role there (recoup user add), not by import', email, role) FROM bad`

const upsertUsers = `
WITH up AS (
    INSERT INTO users AS u (email, name, role)
    SELECT email, name, role FROM stage
    ON CONFLICT (email) DO UPDATE SET name = excluded.name, role = excluded.role, updated_at = now()
    WHERE (u.name, u.role) IS DISTINCT FROM (excluded.name, excluded.role)
    RETURNING (xmax = 0) AS inserted)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up`

const checkCustomerEntity = `
WITH bad AS (
    DELETE FROM stage s WHERE NOT EXISTS (SELECT 1 FROM entities e WHERE e.code = s.entity)
    RETURNING line, external_id, entity)
INSERT INTO import_rejections (import_id, line, external_id, field, reason)
SELECT $1, line, external_id, 'entity', format('unknown entity %s: import it first', entity) FROM bad`

// checkCustomerUsers wants the agent and the sales rep to be known users.
const checkCustomerUsers = `
WITH judged AS (
    SELECT s.line, s.external_id,
           CASE WHEN s.agent_email <> '' AND a.id IS NULL THEN 'agent_email' ELSE 'sales_rep_email' END AS field,
           CASE WHEN s.agent_email <> '' AND a.id IS NULL THEN s.agent_email ELSE s.sales_rep_email END AS email
    FROM stage s
    LEFT JOIN users a ON a.email = s.agent_email
    LEFT JOIN users r ON r.email = s.sales_rep_email
    WHERE (s.agent_email <> '' AND a.id IS NULL) OR (s.sales_rep_email <> '' AND r.id IS NULL)
),
bad AS (DELETE FROM stage s USING judged j WHERE s.line = j.line RETURNING j.*)
INSERT INTO import_rejections (import_id, line, external_id, field, reason)
SELECT $1, line, external_id, field, format('unknown user %s: import users first', email) FROM bad`

// A customer's invoices are all in the customer's currency, so the currency
// cannot change once there are invoices.
const checkCustomerCurrencyChange = `
WITH bad AS (
    DELETE FROM stage s USING customers c
    WHERE c.external_id = s.external_id AND c.currency <> s.currency
      AND EXISTS (SELECT 1 FROM invoices i WHERE i.customer_id = c.id)
    RETURNING s.line, s.external_id, s.currency, c.currency AS old)
INSERT INTO import_rejections (import_id, line, external_id, field, reason)
SELECT $1, line, external_id, 'currency',
       format('currency %s: the customer already has invoices in %s', currency, old) FROM bad`

// A changed email or phone is a new contact: its invalid mark goes, and a
// new number carries no opt-out (a STOP belongs to the number that sent it).
// An empty consent cell keeps the consent recorded.
const upsertCustomers = `
WITH up AS (
    INSERT INTO customers AS c (external_id, entity_id, name, category, country, language, currency, timezone,
                                email, phone, credit_limit_minor, risk_class, agent_id, sales_rep_id,
                                sms_consent, voice_consent, registration_number, vat_number, open_orders_minor)
    SELECT s.external_id, e.id, s.name, s.category, coalesce(nullif(s.country, ''), e.country),
           coalesce(nullif(s.language, ''), e.language), s.currency, coalesce(nullif(s.timezone, ''), e.timezone),
           s.email, s.phone, s.credit_limit, s.risk_class, a.id, r.id, s.sms_consent, s.voice_consent,
           s.registration_number, s.vat_number, s.open_orders
    FROM stage s
    JOIN entities e ON e.code = s.entity
    LEFT JOIN users a ON a.email = nullif(s.agent_email, '')
    LEFT JOIN users r ON r.email = nullif(s.sales_rep_email, '')
    ON CONFLICT (external_id) DO UPDATE SET
        entity_id = excluded.entity_id, name = excluded.name, category = excluded.category,
        country = excluded.country, language = excluded.language, currency = excluded.currency,
        timezone = excluded.timezone, email = excluded.email, phone = excluded.phone,
        credit_limit_minor = excluded.credit_limit_minor, risk_class = excluded.risk_class,
        agent_id = excluded.agent_id, sales_rep_id = excluded.sales_rep_id, updated_at = now(),
        registration_number = excluded.registration_number, vat_number = excluded.vat_number,
        open_orders_minor = excluded.open_orders_minor,
        sms_consent = coalesce(excluded.sms_consent, c.sms_consent),
        voice_consent = coalesce(excluded.voice_consent, c.voice_consent),
        email_invalid_at = CASE WHEN c.email = excluded.email THEN c.email_invalid_at END,
        email_invalid_reason = CASE WHEN c.email = excluded.email THEN c.email_invalid_reason ELSE '' END,
        phone_invalid_at = CASE WHEN c.phone = excluded.phone THEN c.phone_invalid_at END,
        phone_invalid_reason = CASE WHEN c.phone = excluded.phone THEN c.phone_invalid_reason ELSE '' END,
        sms_opted_out_at = CASE WHEN c.phone = excluded.phone THEN c.sms_opted_out_at END,
        voice_opted_out_at = CASE WHEN c.phone = excluded.phone THEN c.voice_opted_out_at END
    WHERE (c.entity_id, c.name, c.category, c.country, c.language, c.currency, c.timezone, c.email, c.phone,
           c.credit_limit_minor, c.risk_class, c.agent_id, c.sales_rep_id, c.sms_consent, c.voice_consent,
           c.registration_number, c.vat_number, c.open_orders_minor)
        IS DISTINCT FROM
          (excluded.entity_id, excluded.name, excluded.category, excluded.country, excluded.language,
           excluded.currency, excluded.timezone, excluded.email, excluded.phone, excluded.credit_limit_minor,
           excluded.risk_class, excluded.agent_id, excluded.sales_rep_id,
           coalesce(excluded.sms_consent, c.sms_consent), coalesce(excluded.voice_consent, c.voice_consent),
           excluded.registration_number, excluded.vat_number, excluded.open_orders_minor)
    RETURNING (xmax = 0) AS inserted)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up`

// recordImportEntities ties an invoices or payments import to the entities
// whose customers its rows name, changed or not (an unchanged ledger is
// fresh data too); a file without rows (none rejected either) speaks for
// every entity: the ERP had nothing new. Read by the stale-data gate (store.StaleData).
const recordImportEntities = `
INSERT INTO import_entities (import_id, entity_id)
SELECT DISTINCT $1::bigint, c.entity_id FROM stage s JOIN customers c ON c.external_id = s.customer_external_id
UNION
SELECT $1::bigint, e.id FROM entities e
WHERE NOT EXISTS (SELECT 1 FROM stage) AND NOT EXISTS (SELECT 1 FROM import_rejections r WHERE r.import_id = $1)`

const checkUnknownCustomer = `
WITH bad AS (
    DELETE FROM stage s WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.external_id = s.customer_external_id)
    RETURNING line, external_id, customer_external_id)
INSERT INTO import_rejections (import_id, line, external_id, field, reason)
SELECT $1, line, external_id, 'customer_external_id',
       format('unknown customer %s: import it first', customer_external_id) FROM bad`

const checkCurrencyMatchesCustomer = `
WITH bad AS (
    DELETE FROM stage s USING customers c
    WHERE c.external_id = s.customer_external_id AND c.currency <> s.currency
    RETURNING s.line, s.external_id, s.currency, c.currency AS customer_currency)
INSERT INTO import_rejections (import_id, line, external_id, field, reason)
SELECT $1, line, external_id, 'currency',
       format('currency %s differs from the customer''s currency %s', currency, customer_currency) FROM bad`

// checkInvoices judges every staged invoice in one pass (a big file pays for
// one scan, not one per rule) and moves the bad ones to the rejections. The
// first rule a row breaks is its reason.
const checkInvoices = `
WITH judged AS (
    SELECT s.line, s.external_id, s.number, s.currency, s.customer_external_id, cu.currency AS customer_currency,
           first_value(s.line) OVER (PARTITION BY s.external_id ORDER BY s.line) AS first_id,
           first_value(s.line) OVER (PARTITION BY s.customer_external_id, s.number ORDER BY s.line) AS first_number,
           cu.id AS customer_id, taken.external_id AS taken_by
    FROM stage s
    LEFT JOIN customers cu ON cu.external_id = s.customer_external_id
    LEFT JOIN invoices taken ON taken.customer_id = cu.id AND taken.number = s.number AND taken.external_id <> s.external_id
),
problems AS (
    SELECT line, external_id, CASE
        WHEN line <> first_id THEN 'external_id'
        WHEN customer_id IS NULL THEN 'customer_external_id'
        WHEN currency <> customer_currency THEN 'currency'
        WHEN line <> first_number OR taken_by IS NOT NULL THEN 'number'
    END AS field, CASE
        WHEN line <> first_id THEN format('duplicate external_id %s in this file (first at line %s)', external_id, first_id)
        WHEN customer_id IS NULL THEN format('unknown customer %s: import it first', customer_external_id)
        WHEN currency <> customer_currency THEN format('currency %s differs from the customer''s currency %s', currency, customer_currency)
        WHEN line <> first_number THEN format('number %s appears twice for this customer in this file (first at line %s)', number, first_number)
        WHEN taken_by IS NOT NULL THEN format('number %s already belongs to invoice %s of this customer', number, taken_by)
    END AS reason
    FROM judged
),
bad AS (
    DELETE FROM stage s USING problems p WHERE p.field IS NOT NULL AND s.line = p.line
    RETURNING p.line, p.external_id, p.field, p.reason)
INSERT INTO import_rejections (import_id, line, external_id, field, reason)
SELECT $1, line, external_id, field, reason FROM bad`

// The ERP is the source of truth for the open amount: when it sends a new
// figure, that figure replaces Recoup's and the import becomes the reference
// point for later payments; when it resends the same figure, payments Recoup
// recorded since stay deducted. Disputed is Recoup's own state and is kept.
// New invoices are a plain INSERT and changed ones an UPDATE: cheaper than
// INSERT ... ON CONFLICT on large files; the import lock keeps them apart.
const upsertInvoices = `
WITH staged AS MATERIALIZED (
    SELECT s.*, c.id AS customer_id, i.id AS existing_id, i.erp_open_minor AS old_erp,
           i.id IS NOT NULL AND (i.customer_id, i.number, i.type, i.issue_date, i.due_date, i.currency,
                                 i.amount_minor, i.erp_open_minor, i.status = 'written_off')
               IS DISTINCT FROM (c.id, s.number, s.type, s.issue_date, s.due_date, s.currency,
                                 s.amount, s.open_amount, s.written_off) AS changed
    FROM stage s
    JOIN customers c ON c.external_id = s.customer_external_id
    LEFT JOIN invoices i ON i.external_id = s.external_id
),
inserted AS (
    INSERT INTO invoices (external_id, customer_id, number, type, issue_date, due_date, currency,
                          amount_minor, erp_open_minor, erp_import_id, open_minor, status)
    SELECT external_id, customer_id, number, type, issue_date, due_date, currency,
           amount, open_amount, $1, open_amount,
           CASE WHEN written_off THEN 'written_off' WHEN open_amount = 0 THEN 'paid' ELSE 'open' END
    FROM staged WHERE existing_id IS NULL
    RETURNING customer_id),
updated AS (
    UPDATE invoices i SET
        customer_id = s.customer_id, number = s.number, type = s.type, issue_date = s.issue_date,
        due_date = s.due_date, currency = s.currency, amount_minor = s.amount, erp_open_minor = s.open_amount,
        erp_import_id = CASE WHEN s.old_erp <> s.open_amount THEN $1 ELSE i.erp_import_id END,
        open_minor = CASE WHEN s.old_erp <> s.open_amount THEN s.open_amount ELSE i.open_minor END,
        status = CASE
            WHEN s.written_off THEN 'written_off'
            WHEN i.status = 'disputed' THEN 'disputed'
            WHEN (CASE WHEN s.old_erp <> s.open_amount THEN s.open_amount ELSE i.open_minor END) = 0 THEN 'paid'
            ELSE 'open' END,
        updated_at = now()
    FROM staged s
    WHERE s.changed AND i.id = s.existing_id
    RETURNING i.customer_id),
touched AS (
    INSERT INTO import_accounts (import_id, customer_id)
    SELECT DISTINCT $1::bigint, customer_id FROM (SELECT customer_id FROM inserted UNION ALL SELECT customer_id FROM updated) t)
SELECT (SELECT count(*) FROM inserted), (SELECT count(*) FROM updated)`

const checkPaymentInvoice = `
WITH bad AS (
    DELETE FROM stage s WHERE s.invoice_number <> '' AND NOT EXISTS (
        SELECT 1 FROM invoices i JOIN customers c ON c.id = i.customer_id
        WHERE c.external_id = s.customer_external_id AND i.number = s.invoice_number AND i.type = 'invoice')
    RETURNING line, external_id, invoice_number, customer_external_id)
INSERT INTO import_rejections (import_id, line, external_id, field, reason)
SELECT $1, line, external_id, 'invoice_number',
       format('no invoice %s for customer %s (leave invoice_number empty for an unallocated payment)',
              invoice_number, customer_external_id) FROM bad`

// Payments are facts: the same payment again is unchanged (it leaves the
// stage without a rejection), a different one under the same id is refused
// rather than silently rewriting allocations.
const checkPaymentChanged = `
WITH known AS (
    DELETE FROM stage s USING payments p, customers c
    WHERE p.external_id = s.external_id AND c.id = p.customer_id
    RETURNING s.line, s.external_id,
        (c.external_id, p.invoice_number, p.received_on, p.currency, p.amount_minor)
        IS DISTINCT FROM (s.customer_external_id, s.invoice_number, s.received_on, s.currency, s.amount) AS changed)
INSERT INTO import_rejections (import_id, line, external_id, field, reason)
SELECT $1, line, external_id, 'external_id',
       format('payment %s was already imported with other values; payments cannot be changed, record a new one', external_id)
FROM known WHERE changed`

// Each payment goes to its invoice up to what is still open there, in file
// order; the rest stays unallocated on the payment.
const upsertPayments = `
WITH new AS (
    SELECT s.*, c.id AS customer_id, i.id AS invoice_id, i.open_minor
    FROM stage s
    JOIN customers c ON c.external_id = s.customer_external_id
    LEFT JOIN invoices i ON s.invoice_number <> '' AND i.customer_id = c.id AND i.number = s.invoice_number
),
alloc AS (
    SELECT new.*, CASE WHEN invoice_id IS NULL THEN 0 ELSE greatest(0, least(amount, open_minor - coalesce(
        sum(amount) OVER (PARTITION BY invoice_id ORDER BY line ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)))
    END AS allocated
    FROM new
),
ins AS (
    INSERT INTO payments (external_id, customer_id, invoice_number, received_on, currency, amount_minor,
                          unallocated_minor, import_id)
    SELECT external_id, customer_id, invoice_number, received_on, currency, amount, amount - allocated, $1
    FROM alloc
    RETURNING id, external_id, customer_id),
allocations AS (
    INSERT INTO payment_allocations (payment_id, invoice_id, amount_minor, import_id)
    SELECT ins.id, alloc.invoice_id, alloc.allocated, $1
    FROM ins JOIN alloc USING (external_id) WHERE alloc.allocated > 0
    RETURNING invoice_id, amount_minor),
paid AS (
    UPDATE invoices i SET
        open_minor = i.open_minor - t.total,
        status = CASE WHEN i.open_minor - t.total = 0 AND i.status <> 'written_off' THEN 'paid' ELSE i.status END,
        updated_at = now()
    FROM (SELECT invoice_id, sum(amount_minor) AS total FROM allocations GROUP BY invoice_id) t
    WHERE i.id = t.invoice_id),
touched AS (
    INSERT INTO import_accounts (import_id, customer_id) SELECT DISTINCT $1::bigint, customer_id FROM ins)
SELECT count(*), 0 FROM ins`

const checkDuplicateRate = `
WITH d AS (SELECT line, first_value(line) OVER (PARTITION BY rate_date, from_currency, to_currency ORDER BY line) AS first FROM stage),
bad AS (DELETE FROM stage s USING d WHERE s.line = d.line AND d.line <> d.first
        RETURNING s.line, s.rate_date, s.from_currency, s.to_currency, d.first)
INSERT INTO import_rejections (import_id, line, external_id, field, reason)
SELECT $1, line, '', 'date', format('duplicate rate %s to %s on %s in this file (first at line %s)', from_currency, to_currency, rate_date, first) FROM bad`

const checkSameCurrency = `
WITH bad AS (DELETE FROM stage s WHERE s.from_currency = s.to_currency RETURNING line, from_currency)
INSERT INTO import_rejections (import_id, line, external_id, field, reason)
SELECT $1, line, '', 'to', format('a rate from %s to itself is always 1', from_currency) FROM bad`

// Upsert by date and pair: a rate the ERP corrects replaces the old one.
const upsertExchangeRates = `
WITH up AS (
    INSERT INTO exchange_rates AS x (rate_date, from_currency, to_currency, rate)
    SELECT rate_date, from_currency, to_currency, rate::numeric FROM stage
    ON CONFLICT (rate_date, from_currency, to_currency) DO UPDATE SET rate = excluded.rate
    WHERE x.rate <> excluded.rate
    RETURNING (xmax = 0) AS inserted)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up`

// checkHolidayTarget wants exactly one of country and entity, and a known entity.
const checkHolidayTarget = `
WITH bad AS (
    DELETE FROM stage s
    WHERE (s.country = '') = (s.entity = '')
       OR (s.entity <> '' AND NOT EXISTS (SELECT 1 FROM entities e WHERE e.code = s.entity))
    RETURNING line, country, entity)
INSERT INTO import_rejections (import_id, line, external_id, field, reason)
SELECT $1, line, '', CASE WHEN country <> '' AND entity <> '' THEN 'entity' WHEN entity <> '' THEN 'entity' ELSE 'country' END,
       CASE WHEN country <> '' AND entity <> '' THEN 'give country or entity, not both'
            WHEN entity <> '' THEN format('unknown entity %s: import it first', entity)
            ELSE 'country or entity is required' END
FROM bad`

const checkDuplicateHoliday = `
WITH d AS (SELECT line, first_value(line) OVER (PARTITION BY country, entity, holiday_date ORDER BY line) AS first FROM stage),
bad AS (DELETE FROM stage s USING d WHERE s.line = d.line AND d.line <> d.first
        RETURNING s.line, s.holiday_date, d.first)
INSERT INTO import_rejections (import_id, line, external_id, field, reason)
SELECT $1, line, '', 'date', format('%s is already in this file for the same country or entity (line %s)', holiday_date, first) FROM bad`

// Upsert by (country or entity) and date: a corrected name replaces the old one.
const upsertHolidays = `
WITH rows AS (
    SELECT nullif(s.country, '') AS country, e.id AS entity_id, s.holiday_date, s.name
    FROM stage s LEFT JOIN entities e ON e.code = s.entity AND s.entity <> ''),
by_country AS (
    INSERT INTO holidays AS h (country, date, name)
    SELECT country, holiday_date, name FROM rows WHERE country IS NOT NULL
    ON CONFLICT (country, date) WHERE country IS NOT NULL DO UPDATE SET name = excluded.name
    WHERE h.name <> excluded.name
    RETURNING (xmax = 0) AS inserted),
by_entity AS (
    INSERT INTO holidays AS h (entity_id, date, name)
    SELECT entity_id, holiday_date, name FROM rows WHERE entity_id IS NOT NULL
    ON CONFLICT (entity_id, date) WHERE entity_id IS NOT NULL DO UPDATE SET name = excluded.name
    WHERE h.name <> excluded.name
    RETURNING (xmax = 0) AS inserted),
up AS (SELECT inserted FROM by_country UNION ALL SELECT inserted FROM by_entity)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up`

// A document's invoice must be imported already.
const checkDocumentInvoice = `
WITH bad AS (
    DELETE FROM stage s WHERE NOT EXISTS (SELECT 1 FROM invoices i WHERE i.external_id = s.invoice_external_id)
    RETURNING line, invoice_external_id)
INSERT INTO import_rejections (import_id, line, external_id, field, reason)
SELECT $1, line, invoice_external_id, 'invoice_external_id',
       format('unknown invoice %s: import it first', invoice_external_id) FROM bad`

// One document per invoice in a file.
const checkDuplicateDocument = `
WITH d AS (SELECT line, first_value(line) OVER (PARTITION BY invoice_external_id ORDER BY line) AS first FROM stage),
bad AS (DELETE FROM stage s USING d WHERE s.line = d.line AND d.line <> d.first RETURNING s.line, s.invoice_external_id, d.first)
INSERT INTO import_rejections (import_id, line, external_id, field, reason)
SELECT $1, line, invoice_external_id, 'invoice_external_id',
       format('invoice %s has a document at line %s already', invoice_external_id, first) FROM bad`

// A document replaces the invoice's earlier one; the same file again is unchanged.
const upsertDocuments = `
WITH up AS (
    INSERT INTO invoice_documents AS d (invoice_id, file_name, content_type, size_bytes, sha256, content, import_id)
    SELECT i.id, s.file_name, 'application/pdf', length(s.content), sha256(s.content), s.content, $1
    FROM stage s JOIN invoices i ON i.external_id = s.invoice_external_id
    ON CONFLICT (invoice_id) DO UPDATE SET file_name = excluded.file_name, size_bytes = excluded.size_bytes,
        sha256 = excluded.sha256, content = excluded.content, import_id = excluded.import_id, updated_at = now()
    WHERE d.sha256 <> excluded.sha256 OR d.file_name <> excluded.file_name
    RETURNING (xmax = 0) AS inserted)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up`
