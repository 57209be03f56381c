import { messageDelivery, reminderDeliveries } from './message-channels';

const both = { email: 'a@example.test', phone: '+4930123456' };
const mailOnly = { email: 'a@example.test', phone: null };
const phoneOnly = { email: null, phone: '+4930123456' };
const none = { email: null, phone: null };

describe('message channels', () => {
  it.each([
    [both, { channel: 'email', to: 'a@example.test' }],
    [mailOnly, { channel: 'email', to: 'a@example.test' }],
    [phoneOnly, { channel: 'sms', to: '+4930123456' }],
    [none, { channel: 'email', to: null }],
  ])('a message to %p goes by %p', (contact, expected) => {
    expect(messageDelivery(contact)).toEqual(expected);
  });

  it.each([
    [['email', 'sms'], both, [{ channel: 'email', to: 'a@example.test' }, { channel: 'sms', to: '+4930123456' }]],
    [['sms'], both, [{ channel: 'sms', to: '+4930123456' }]],
    [['email'], both, [{ channel: 'email', to: 'a@example.test' }]],
    [['email', 'sms'], mailOnly, [{ channel: 'email', to: 'a@example.test' }]],
    [['sms'], mailOnly, [{ channel: 'sms', to: null }]],
    [['email'], phoneOnly, [{ channel: 'sms', to: '+4930123456' }]],
    [['email', 'sms'], phoneOnly, [{ channel: 'sms', to: '+4930123456' }]],
    [['email', 'sms'], none, [{ channel: 'email', to: null }, { channel: 'sms', to: null }]],
  ] as const)('a reminder on %p to %p goes by %p', (channels, contact, expected) => {
    expect(reminderDeliveries(channels, contact)).toEqual(expected);
  });
});
