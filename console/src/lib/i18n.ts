/**
 * German and English for the customer pages, picked from the browser's languages (first of
 * navigator.languages that we have, else English). A plain typed dictionary: two languages and
 * some seventy strings do not need an i18n framework, and a key missing in either language is a
 * type error (the build fails) rather than an English word on a German page.
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
  'book.steps': 'Steps',
  'book.stepService': 'Service',
  'book.stepStaff': 'Who',
  'book.stepTime': 'Time',
  'book.stepDetails': 'Details',
  'book.stepDone': 'Done',
  'book.noServices': 'No service can be booked online here.',
  'book.noNext': 'Nothing free in the next weeks.',
  'book.earlier': 'Earlier days',
  'book.later': 'Later days',
  'book.held': 'We hold {when} for you until {until}.',
  'book.contactHint': 'An e-mail address or a phone number, so we can confirm and remind you.',
  'book.nameRequired': 'Please give your name.',
  'book.minutes': '{count} min',
  'book.another': 'Book another appointment',
  'book.with': 'with {staff}',
  'problem.rules': 'This is not possible:',
  'problem.invalid': 'Please check your details:',
  'problem.rateLimited': 'Too many requests just now. Please try again in a minute.',
  'problem.unavailable': 'The booking service is not reachable just now. Please try again shortly.',
  'rule.minimum_notice': 'It is too short notice.',
  'rule.max_advance': 'It is too far ahead.',
  'rule.business_hours': 'It is outside the opening hours.',
  'rule.staff_availability': 'The staff member is not available then.',
  'rule.service_availability': 'The service is not available then.',
  'rule.customer_blocked': 'Online booking is not available for you; please call us.',
  'rule.max_daily_bookings': 'No more bookings are possible on this day.',
  'rule.booking_limit': 'The booking limit is reached.',
  'rule.consultation_required': 'This service needs a consultation first.',
  'rule.cancellation_cutoff': 'It is too late to cancel or move the appointment online; please call us.',
  'rule.max_reschedules': 'The appointment cannot be moved again online; please call us.',
  'rule.group_size': 'The group size does not fit.',
  'manage.keep': 'Keep it',
  'manage.cancelQuestion': 'Cancel this appointment?',
  'manage.pickTime': 'Choose the new time',
  'manage.noLongerLive': 'This appointment cannot be changed any more.',
  'manage.moveCount.one': 'Moved once already.',
  'manage.moveCount.other': 'Moved {count} times already.',
  'manage.book': 'Book a new appointment',
  'manage.changeableUntil': 'You can move or cancel it online until {when}.',
  'manage.reschedulesLeft': 'Moves left online: {count}.',
  'manage.noMoreChanges': 'It can no longer be changed online:',
  'manage.rule.cutoff': 'Appointments can be cancelled or moved online until {within} before they start; please call us.',
  'manage.rule.maxMoves.one': 'It can be moved online only once, and that has been used; please call us.',
  'manage.rule.maxMoves.other': 'It can be moved online at most {count} times, and all of them have been used; please call us.',
  'unit.hour.one': '{count} hour',
  'unit.hour.other': '{count} hours',
  'unit.day.one': '{count} day',
  'unit.day.other': '{count} days',
  'unit.and': '{first} and {second}',
  'review.title': 'How was your appointment?',
  'review.rating': 'Rating',
  'review.stars': '{count} of 5 stars',
  'review.comment': 'Comment (optional)',
  'review.submit': 'Send review',
  'review.thanks': 'Thank you for your review.',
  'review.yours': 'Your review: {count} of 5 stars',
  'common.loading': 'Loading…',
  'common.error': 'Something went wrong: {message}',
  'manage.title': 'Your appointment',
  'manage.notFound': 'This link is not valid (any more).',
  'manage.when': 'When',
  'manage.where': 'Where',
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
  'book.steps': 'Schritte',
  'book.stepService': 'Leistung',
  'book.stepStaff': 'Bei wem',
  'book.stepTime': 'Zeit',
  'book.stepDetails': 'Angaben',
  'book.stepDone': 'Fertig',
  'book.noServices': 'Hier kann nichts online gebucht werden.',
  'book.noNext': 'In den nächsten Wochen ist nichts frei.',
  'book.earlier': 'Frühere Tage',
  'book.later': 'Spätere Tage',
  'book.held': 'Wir halten {when} bis {until} Uhr für Sie frei.',
  'book.contactHint': 'E-Mail-Adresse oder Telefonnummer, damit wir bestätigen und erinnern können.',
  'book.nameRequired': 'Bitte geben Sie Ihren Namen an.',
  'book.minutes': '{count} Min.',
  'book.another': 'Weiteren Termin buchen',
  'book.with': 'bei {staff}',
  'problem.rules': 'Das ist leider nicht möglich:',
  'problem.invalid': 'Bitte prüfen Sie Ihre Angaben:',
  'problem.rateLimited': 'Gerade zu viele Anfragen. Bitte versuchen Sie es in einer Minute noch einmal.',
  'problem.unavailable': 'Der Buchungsdienst ist gerade nicht erreichbar. Bitte versuchen Sie es gleich noch einmal.',
  'rule.minimum_notice': 'Das ist zu kurzfristig.',
  'rule.max_advance': 'Das liegt zu weit in der Zukunft.',
  'rule.business_hours': 'Das liegt außerhalb der Öffnungszeiten.',
  'rule.staff_availability': 'Die Mitarbeiterin oder der Mitarbeiter ist dann nicht da.',
  'rule.service_availability': 'Die Leistung ist dann nicht verfügbar.',
  'rule.customer_blocked': 'Online-Buchung ist für Sie nicht möglich; bitte rufen Sie uns an.',
  'rule.max_daily_bookings': 'An diesem Tag sind keine weiteren Buchungen möglich.',
  'rule.booking_limit': 'Das Buchungslimit ist erreicht.',
  'rule.consultation_required': 'Für diese Leistung ist zuerst ein Beratungstermin nötig.',
  'rule.cancellation_cutoff': 'Für eine Online-Absage oder -Verschiebung ist es zu spät; bitte rufen Sie uns an.',
  'rule.max_reschedules': 'Der Termin kann online nicht noch einmal verschoben werden; bitte rufen Sie uns an.',
  'rule.group_size': 'Die Gruppengröße passt nicht.',
  'manage.keep': 'Nein, behalten',
  'manage.cancelQuestion': 'Diesen Termin absagen?',
  'manage.pickTime': 'Neue Zeit wählen',
  'manage.noLongerLive': 'Dieser Termin kann nicht mehr geändert werden.',
  'manage.moveCount.one': 'Schon einmal verschoben.',
  'manage.moveCount.other': 'Schon {count}-mal verschoben.',
  'manage.book': 'Neuen Termin buchen',
  'manage.changeableUntil': 'Online verschieben oder absagen können Sie bis {when}.',
  'manage.reschedulesLeft': 'Noch {count}-mal online verschiebbar.',
  'manage.noMoreChanges': 'Online nicht mehr änderbar:',
  'manage.rule.cutoff': 'Online absagen oder verschieben können Sie bis {within} vor Beginn; bitte rufen Sie uns an.',
  'manage.rule.maxMoves.one': 'Online lässt sich der Termin nur einmal verschieben, und das ist schon geschehen; bitte rufen Sie uns an.',
  'manage.rule.maxMoves.other': 'Online lässt sich der Termin höchstens {count}-mal verschieben, und das ist schon geschehen; bitte rufen Sie uns an.',
  'unit.hour.one': '{count} Stunde',
  'unit.hour.other': '{count} Stunden',
  'unit.day.one': '{count} Tag',
  'unit.day.other': '{count} Tage',
  'unit.and': '{first} und {second}',
  'review.title': 'Wie war Ihr Termin?',
  'review.rating': 'Bewertung',
  'review.stars': '{count} von 5 Sternen',
  'review.comment': 'Kommentar (optional)',
  'review.submit': 'Bewertung senden',
  'review.thanks': 'Vielen Dank für Ihre Bewertung.',
  'review.yours': 'Ihre Bewertung: {count} von 5 Sternen',
  'common.loading': 'Wird geladen…',
  'common.error': 'Etwas ist schiefgegangen: {message}',
  'manage.title': 'Ihr Termin',
  'manage.notFound': 'Dieser Link ist nicht (mehr) gültig.',
  'manage.when': 'Wann',
  'manage.where': 'Wo',
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

/** The browser's own tag for that language (en-GB, de-AT, ...): dates and times are written its way. */
export function browserLocale(languages: readonly string[] = navigator.languages ?? [navigator.language]): string {
  const language = browserLanguage(languages);
  return languages.find((tag) => tag.toLowerCase().split('-')[0] === language) ?? language;
}

/** The plural form of `count` in `language` (Intl.PluralRules); German and English know only these two. */
export function pluralOf(language: Language, count: number): 'one' | 'other' {
  return new Intl.PluralRules(language).select(count) === 'one' ? 'one' : 'other';
}

export function translator(language: Language) {
  const dict = dictionaries[language];
  return (key: MessageKey, params: Record<string, string | number> = {}) =>
    dict[key].replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? ''));
}

/**
 * A span of whole hours in the units a customer reads (as the API's rule messages write it):
 * hours under 48 ("24 hours", "24 Stunden"), otherwise days ("365 days", "2 Tage und 6 Stunden").
 */
export function hoursText(language: Language, hours: number): string {
  const t = translator(language);
  const unit = (name: 'hour' | 'day', count: number) => t(`unit.${name}.${pluralOf(language, count)}`, { count });
  if (hours < 48) return unit('hour', hours);
  const days = Math.floor(hours / 24);
  const rest = hours % 24;
  return rest === 0 ? unit('day', days) : t('unit.and', { first: unit('day', days), second: unit('hour', rest) });
}
