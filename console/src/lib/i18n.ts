/**
 * German and English for the customer pages, picked from the browser's languages (first of
 * navigator.languages that we have, else English). A plain dictionary: two languages and a few
 * dozen strings do not need an i18n framework; a missing key is a type error.
 */
const en = {
  'book.title': 'Book an appointment',
  'book.service': 'Service',
  'book.chooseService': 'Choose a service',
  'book.staff': 'Who',
  'book.anyStaff': 'Anyone available',
  'book.rating': 'rating {avg} of 5 ({count})',
  'book.day': 'Day',
  'book.next': 'Next free times',
  'book.times': 'Free times on {day}',
  'book.noTimes': 'No free times on this day.',
  'book.details': 'Your details',
  'book.name': 'Name',
  'book.email': 'E-mail',
  'book.phone': 'Phone',
  'book.notes': 'Notes (optional)',
  'book.submit': 'Book now',
  'book.back': 'Back',
  'book.taken': 'This time was just taken. These are free:',
  'book.expired': 'The time was held for you too long and is free again. Please choose again:',
  'book.confirmed': 'Your appointment is booked',
  'book.pending': 'Your request is received; we confirm it shortly.',
  'book.awaiting': 'Your request is received and waits for approval.',
  'book.manage': 'Manage your appointment (cancel or move)',
  'book.missingKey': 'This booking page needs its link with the key.',
  'book.contactRequired': 'Please give an e-mail address or a phone number.',
  'book.summary': '{service} with {staff}, {when}',
  'book.price': 'Price',
  'common.loading': 'Loading…',
  'common.error': 'Something went wrong: {message}',
  'manage.title': 'Your appointment',
  'manage.notFound': 'This link is not valid (any more).',
  'manage.when': 'When',
  'manage.status': 'Status',
  'manage.cancel': 'Cancel appointment',
  'manage.confirmCancel': 'Yes, cancel it',
  'manage.cancelled': 'The appointment is cancelled.',
  'manage.move': 'Move to another time',
  'manage.moved': 'The appointment is moved to {when}.',
  'manage.pickDay': 'Day',
  'status.pending': 'pending',
  'status.awaiting_approval': 'awaiting approval',
  'status.confirmed': 'confirmed',
  'status.declined': 'declined',
  'status.cancelled': 'cancelled',
  'status.failed': 'failed',
  'status.no_show': 'no-show',
  'status.completed': 'completed',
};
export type MessageKey = keyof typeof en;

const de: Record<MessageKey, string> = {
  'book.title': 'Termin buchen',
  'book.service': 'Leistung',
  'book.chooseService': 'Leistung wählen',
  'book.staff': 'Bei wem',
  'book.anyStaff': 'Egal, wer frei ist',
  'book.rating': 'Bewertung {avg} von 5 ({count})',
  'book.day': 'Tag',
  'book.next': 'Nächste freie Termine',
  'book.times': 'Freie Zeiten am {day}',
  'book.noTimes': 'An diesem Tag ist nichts frei.',
  'book.details': 'Ihre Angaben',
  'book.name': 'Name',
  'book.email': 'E-Mail',
  'book.phone': 'Telefon',
  'book.notes': 'Anmerkungen (optional)',
  'book.submit': 'Jetzt buchen',
  'book.back': 'Zurück',
  'book.taken': 'Diese Zeit wurde gerade vergeben. Frei sind:',
  'book.expired': 'Die Zeit war zu lange für Sie reserviert und ist wieder frei. Bitte wählen Sie neu:',
  'book.confirmed': 'Ihr Termin ist gebucht',
  'book.pending': 'Ihre Anfrage ist eingegangen; wir bestätigen sie gleich.',
  'book.awaiting': 'Ihre Anfrage ist eingegangen und wartet auf Bestätigung.',
  'book.manage': 'Termin verwalten (absagen oder verschieben)',
  'book.missingKey': 'Diese Buchungsseite braucht ihren Link mit Schlüssel.',
  'book.contactRequired': 'Bitte geben Sie eine E-Mail-Adresse oder Telefonnummer an.',
  'book.summary': '{service} bei {staff}, {when}',
  'book.price': 'Preis',
  'common.loading': 'Wird geladen…',
  'common.error': 'Etwas ist schiefgegangen: {message}',
  'manage.title': 'Ihr Termin',
  'manage.notFound': 'Dieser Link ist nicht (mehr) gültig.',
  'manage.when': 'Wann',
  'manage.status': 'Status',
  'manage.cancel': 'Termin absagen',
  'manage.confirmCancel': 'Ja, absagen',
  'manage.cancelled': 'Der Termin ist abgesagt.',
  'manage.move': 'Auf eine andere Zeit verschieben',
  'manage.moved': 'Der Termin ist verschoben auf {when}.',
  'manage.pickDay': 'Tag',
  'status.pending': 'in Bearbeitung',
  'status.awaiting_approval': 'wartet auf Bestätigung',
  'status.confirmed': 'bestätigt',
  'status.declined': 'abgelehnt',
  'status.cancelled': 'abgesagt',
  'status.failed': 'fehlgeschlagen',
  'status.no_show': 'nicht erschienen',
  'status.completed': 'abgeschlossen',
};

const dictionaries = { en, de } as const;
export type Language = keyof typeof dictionaries;

export function browserLanguage(languages: readonly string[] = navigator.languages ?? [navigator.language]): Language {
  for (const tag of languages) {
    const base = tag.toLowerCase().split('-')[0];
    if (base === 'de' || base === 'en') return base;
  }
  return 'en';
}

export function translator(language: Language) {
  const dict = dictionaries[language];
  return (key: MessageKey, params: Record<string, string | number> = {}) =>
    dict[key].replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? ''));
}
