/**
 * The one form in which an error text from another system (HotWax's failed-record messages and API errors) is
 * stored, served or sent (#11 §6). The adapters already cut out every value the failed record holds; this is the
 * domain's own guarantee on top, for every text whatever its source.
 *
 * Names cannot be found by pattern: "Jane Customerova" looks like any other two words. So the text is reduced to
 * what names the failure — the words of an error message and the identifiers of fields, services and exceptions —
 * and every other word, every number and every e-mail or URL becomes "…". The classifier reads the text before it
 * is reduced; people read the classification (title, explanation, fix) and this reduced text.
 */

/** Words error messages are made of: what failed, which field, in which step. Nothing a person is called. */
const vocabulary = new Set(
  `a an the of in on at for to from with without by into onto per via as than then and or but nor if else when while
  is are was were be been being has have had does do did not no none must should shall can cannot could would may
  might will it its this that these those which what there here only also like such one any all each every some
  more less least most after before during between within over under up down out off too very again yet just
  already still same other another own both either neither try trying tried retry retried retrying restart restarting
  error errors failed failure failures fail fails failing missing required require requires mandatory invalid valid
  validation empty blank null nil undefined incomplete malformed wrong incorrect incorrectly correct correctly
  formatted format formats found provided present set available given specified supplied expected unexpected
  exceeded exceeds exceed long short large small unknown known exception exceptions threw thrown throw target
  service services called call calling rollback entity engine sql transaction transactions timeout timed time
  times connection connections refused reset closed close unavailable temporarily temporary lock locked wait
  deadlock duplicate duplicated already exists exist existing allowed permission permissions denied unauthorized
  forbidden limit limits maximum minimum length size type types value values field fields column columns key keys
  parameter parameters attribute attributes record records data json xml csv file files line lines row rows
  string strings number numbers integer date dates character characters special emoji encoding utf utf8 utf-8 mb4
  utf8mb4 parse parsing parsed illegal state processing process processed import imported importing imports export
  create created creating update updated updating cancel cancelled canceled approve approved approval order orders
  item items product products sku variant variants quantity price prices tax taxes discount discounts shipping
  billing shipment shipments ship delivery address addresses line1 line2 street city province postal zip code
  codes country geo phone telephone tel mobile cell contact mech email e-mail mail customer customers party person
  name names first last middle domain note notes tag tags payment payments gateway status statuses channel store
  shop shops facility brand currency job jobs run runs log logs system internal server client request response
  http https api rest hotwax shopify maarg ofbiz moqui mdm communications link answered answer reached reach
  account id ids identifier header body message messages reason cause caused read reading reads write writing
  writes written send sending sent receive receiving received fetch fetching fetched load loading loaded save
  saving saved store stored storing get getting got find finding look lookup looking using use used because due
  since until unable able check checking checked verify verified open opened opening connect connecting
  connected handle handling handled convert converting converted map mapping mapped match matched matching`.split(
    /\s+/,
  ),
);

/** `createShopifyOrder`, `postalCode`, `countryGeoId`: a field or service name, never a person's. */
const lowerCamel = /^[a-z]{2,}(?:[A-Z][a-z0-9]+)+$/;
/** `PHONE_SHIPPING`, `line_items`, `contact_mech`: enumerations and column names. */
const snakeCase = /^[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+$/;
/** `java.lang.IllegalStateException`, `org.apache.ofbiz.entity`: three segments or more (two could be an e-mail's). */
const dottedName = /^[a-z]+(?:\.[a-z]+){1,}\.[A-Za-z]+$/;
/** `SQLProcessor`, `GenericEntityException`, `HotwaxHttpError`: technical names end so. */
const technicalName = /^[A-Z][A-Za-z0-9]*(?:Exception|Error|Processor|Engine|Service|Handler|Factory)$/;

const isKept = (word: string, previous: string | undefined): boolean => {
  if (/^\d+$/.test(word)) return /^https?$/i.test(previous ?? '') && word.length === 3;
  return (
    vocabulary.has(word.toLowerCase()) ||
    lowerCamel.test(word) ||
    snakeCase.test(word) ||
    dottedName.test(word) ||
    technicalName.test(word)
  );
};

const emailOrUrl = /[^\s@"'<>(),;:[\]]+@[^\s@"'<>(),;:[\]]+|\b[a-z][a-z0-9+.-]*:\/\/\S+/gi;
const wordPattern = /[\p{L}\p{N}_]+(?:[.'’-][\p{L}\p{N}_]+)*/gu;
const dropped = '…';
const maxInput = 4000;
const maxOutput = 600;

/**
 * Reduces an error text to the words that name what failed. Idempotent: a reduced text reduces to itself, so every
 * boundary (storing, serving, sending) may apply it again.
 */
export const safeErrorText = (text: string | undefined | null): string => {
  if (!text) return '';
  const input = text.slice(0, maxInput).replace(emailOrUrl, dropped);
  let previous: string | undefined;
  const reduced = input.replace(wordPattern, (word) => {
    const kept = isKept(word, previous);
    previous = word;
    return kept ? word : dropped;
  });
  // Runs of dropped words and the separators between them become one "…", and so does a bracket around one.
  const collapse = (value: string) => value.replace(/…(?:[\s,;:'"’+./\\-]*…)+/g, dropped);
  const collapsed = collapse(collapse(reduced.replace(/\s+/g, ' ')).replace(/[([{]…[)\]}]/g, dropped)).trim();
  return collapsed.length > maxOutput ? `${collapsed.slice(0, maxOutput)}${dropped}` : collapsed;
};

/** The same reduction on the error fields of a timeline event's detail (`rawError`), leaving the rest. */
export const withSafeErrorDetail = <T extends Record<string, unknown> | undefined>(detail: T): T => {
  if (!detail || typeof detail.rawError !== 'string') return detail;
  return { ...detail, rawError: safeErrorText(detail.rawError) };
};
