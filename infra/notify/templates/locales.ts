/**
 * The words of every customer message, per language (i18next resources, one namespace). Values
 * are plain text with `{{placeholders}}`: HTML is built around them by booking-messages.ts, which
 * escapes every value, so no entry may contain markup. `de` and `en` must have the same keys
 * (checked by templates.test.ts).
 */
export const en = {
  greeting: 'Hello {{name}},',
  what: '{{service}} with {{staff}} at {{branch}}',
  signoff: 'Kind regards,\n{{branch}}',
  label: { when: 'When', service: 'Service', staff: 'With', where: 'Where', price: 'Price', reference: 'Booking reference' },
  manage: 'Change or cancel your appointment: {{url}}',
  manageButton: 'Change or cancel',
  review: 'Tell us how it went: {{url}}',
  reviewButton: 'Leave a review',
  smsManage: 'Change or cancel: {{url}}',
  smsReview: 'Review: {{url}}',
  icsSummary: '{{service}} with {{staff}}',
  reason: 'Reason: {{reason}}',
  wasBefore: ' (was {{previous}})',
  booking_confirmed: {
    subject: 'Confirmed: {{service}} on {{when}}',
    lead: 'your appointment is confirmed: {{what}}, {{when}}.',
    sms: '{{branch}}: your appointment {{service}} on {{when}} is confirmed.',
  },
  booking_rescheduled: {
    subject: 'Rescheduled: {{service}} on {{when}}',
    lead: 'your appointment has moved to {{when}}{{before}}: {{what}}.',
    sms: '{{branch}}: your appointment {{service}} has moved to {{when}}.',
  },
  booking_cancelled: {
    subject: 'Cancelled: {{service}} on {{when}}',
    lead: 'your appointment {{what}}, {{when}} has been cancelled.',
    sms: '{{branch}}: your appointment {{service}} on {{when}} has been cancelled.',
  },
  booking_reminder: {
    subject: 'Reminder: {{service}} on {{when}}',
    lead: 'a reminder of your appointment: {{what}}, {{when}}.',
    sms: '{{branch}}: reminder of your appointment {{service}} on {{when}}.',
  },
  booking_failed: {
    subject: 'We could not book {{service}} on {{when}}',
    lead: 'we could not complete your booking of {{what}}, {{when}}: the calendar did not accept it. Nothing was reserved; please choose another time or contact us.',
    sms: '{{branch}}: we could not book {{service}} on {{when}}. Nothing was reserved; please choose another time.',
  },
  booking_awaiting_approval: {
    subject: 'Request received: {{service}} on {{when}}',
    lead: 'we have received your request for {{what}}, {{when}}. The time is held for you; we will confirm it once it has been approved.',
    sms: '{{branch}}: we have received your request for {{service}} on {{when}}. The time is held; we will confirm it once approved.',
  },
  booking_declined: {
    subject: 'Not confirmed: {{service}} on {{when}}',
    lead: 'your request for {{what}}, {{when}} could not be confirmed. Please choose another time or contact us.',
    sms: '{{branch}}: your request for {{service}} on {{when}} could not be confirmed. Please choose another time.',
  },
  review_request: {
    subject: 'How was your {{service}}?',
    lead: 'thank you for your visit: {{what}}, {{when}}. We would be glad to hear how it went.',
    sms: '{{branch}}: thank you for your visit. How was your {{service}}?',
  },
  waitlist_offer: {
    subject: 'A time for {{service}} is free',
    lead: 'times you were waiting for at {{branch}} are free now:',
    offer: '{{when}} with {{staff}}',
    hint: 'Book soon: offers are not held for you.',
    sms: '{{branch}}: a time for {{service}} is free: {{when}}. Book soon, it is not held for you.',
  },
};

export type Messages = typeof en;

export const de: Messages = {
  greeting: 'Hallo {{name}},',
  what: '{{service}} bei {{staff}} in {{branch}}',
  signoff: 'Viele Grüße\n{{branch}}',
  label: { when: 'Wann', service: 'Leistung', staff: 'Bei', where: 'Wo', price: 'Preis', reference: 'Buchungsnummer' },
  manage: 'Termin ändern oder absagen: {{url}}',
  manageButton: 'Ändern oder absagen',
  review: 'Wie war es? Ihre Bewertung: {{url}}',
  reviewButton: 'Bewertung abgeben',
  smsManage: 'Ändern oder absagen: {{url}}',
  smsReview: 'Bewerten: {{url}}',
  icsSummary: '{{service}} bei {{staff}}',
  reason: 'Grund: {{reason}}',
  wasBefore: ' (bisher {{previous}})',
  booking_confirmed: {
    subject: 'Bestätigt: {{service}} am {{when}}',
    lead: 'Ihr Termin ist bestätigt: {{what}}, {{when}}.',
    sms: '{{branch}}: Ihr Termin {{service}} am {{when}} ist bestätigt.',
  },
  booking_rescheduled: {
    subject: 'Verschoben: {{service}} am {{when}}',
    lead: 'Ihr Termin wurde verschoben auf {{when}}{{before}}: {{what}}.',
    sms: '{{branch}}: Ihr Termin {{service}} wurde verschoben auf {{when}}.',
  },
  booking_cancelled: {
    subject: 'Abgesagt: {{service}} am {{when}}',
    lead: 'Ihr Termin {{what}}, {{when}} wurde abgesagt.',
    sms: '{{branch}}: Ihr Termin {{service}} am {{when}} wurde abgesagt.',
  },
  booking_reminder: {
    subject: 'Erinnerung: {{service}} am {{when}}',
    lead: 'wir erinnern Sie an Ihren Termin: {{what}}, {{when}}.',
    sms: '{{branch}}: Erinnerung an Ihren Termin {{service}} am {{when}}.',
  },
  booking_failed: {
    subject: 'Buchung nicht möglich: {{service}} am {{when}}',
    lead: 'Ihre Buchung von {{what}}, {{when}} konnte nicht abgeschlossen werden: Der Kalender hat sie nicht angenommen. Es wurde nichts reserviert; bitte wählen Sie eine andere Zeit oder melden Sie sich bei uns.',
    sms: '{{branch}}: {{service}} am {{when}} konnte nicht gebucht werden. Es wurde nichts reserviert; bitte wählen Sie eine andere Zeit.',
  },
  booking_awaiting_approval: {
    subject: 'Anfrage erhalten: {{service}} am {{when}}',
    lead: 'wir haben Ihre Anfrage für {{what}}, {{when}} erhalten. Die Zeit ist für Sie reserviert; wir bestätigen den Termin, sobald er freigegeben ist.',
    sms: '{{branch}}: Ihre Anfrage für {{service}} am {{when}} ist eingegangen. Die Zeit ist reserviert; wir bestätigen nach Freigabe.',
  },
  booking_declined: {
    subject: 'Nicht bestätigt: {{service}} am {{when}}',
    lead: 'Ihre Anfrage für {{what}}, {{when}} konnte leider nicht bestätigt werden. Bitte wählen Sie eine andere Zeit oder melden Sie sich bei uns.',
    sms: '{{branch}}: Ihre Anfrage für {{service}} am {{when}} konnte nicht bestätigt werden. Bitte wählen Sie eine andere Zeit.',
  },
  review_request: {
    subject: 'Wie war Ihr Termin {{service}}?',
    lead: 'danke für Ihren Besuch: {{what}}, {{when}}. Wir freuen uns über Ihre Rückmeldung.',
    sms: '{{branch}}: Danke für Ihren Besuch. Wie war {{service}}?',
  },
  waitlist_offer: {
    subject: 'Ein Termin für {{service}} ist frei',
    lead: 'Zeiten, auf die Sie in {{branch}} gewartet haben, sind jetzt frei:',
    offer: '{{when}} bei {{staff}}',
    hint: 'Buchen Sie bald: Angebote werden nicht für Sie freigehalten.',
    sms: '{{branch}}: Ein Termin für {{service}} ist frei: {{when}}. Bald buchen, er wird nicht freigehalten.',
  },
};
