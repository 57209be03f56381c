import { messageLanguage } from './message-language';

describe('message language', () => {
  it.each([
    ['de', 'en', 'de'],
    ['en', 'de', 'en'],
    ['de-AT', 'en', 'de'],
    ['EN_gb', 'de', 'en'],
    ['fr', 'de', 'de'],
    [null, 'en', 'en'],
    [undefined, 'de', 'de'],
    ['tr', 'it', 'en'],
    ['', null, 'en'],
    [' de ', undefined, 'de'],
  ] as const)('customer %p, branch default %p → %s', (customer, branch, expected) => {
    expect(messageLanguage(customer, branch)).toBe(expected);
  });
});
