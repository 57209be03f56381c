/**
 * Cal.com accounts of the emulator. Each account has its own API key, three users and three team
 * event types hosted by those users (ids unique across accounts), and sees and changes only its
 * own bookings, as in Cal.com. The default account (the emulator's configured key) is the demo
 * account: it owns every user and event type id no created account owns (made on first use, as
 * before accounts existed), and its team event types 1001–1004 are hosted by users 1, 2 and 3.
 */
import { randomBytes } from 'node:crypto';

export interface EmulatorWebhook {
  id: string;
  subscriberUrl: string;
  triggers: string[];
  active: boolean;
  secret: string | null;
  payloadTemplate: string | null;
  createdAt: string;
}

export interface EmulatorAccount {
  /** The account owner's user id (what `/v2/me` answers). */
  id: number;
  apiKey: string;
  email: string;
  username: string;
  userIds: number[];
  eventTypeIds: number[];
  /** The default account: owns every id no created account owns. */
  isDefault: boolean;
  webhooks: EmulatorWebhook[];
}

export const DEMO_USER_IDS = [1, 2, 3];
export const DEMO_EVENT_TYPE_IDS = [1001, 1002, 1003, 1004];
/** Created accounts' ids start high so they never meet the default account's ad-hoc ids. */
const FIRST_USER_ID = 70_000_001;
const FIRST_EVENT_TYPE_ID = 80_000_001;

export class EmulatorAccounts {
  private readonly byKey = new Map<string, EmulatorAccount>();
  private readonly userOwner = new Map<number, EmulatorAccount>();
  private readonly eventTypeOwner = new Map<number, EmulatorAccount>();
  private nextUserId = FIRST_USER_ID;
  private nextEventTypeId = FIRST_EVENT_TYPE_ID;
  readonly defaultAccount: EmulatorAccount;

  constructor(defaultApiKey: string) {
    this.defaultAccount = {
      id: DEMO_USER_IDS[0]!,
      apiKey: defaultApiKey,
      email: 'owner@cal.emulator.test',
      username: 'demo-owner',
      userIds: [...DEMO_USER_IDS],
      eventTypeIds: [...DEMO_EVENT_TYPE_IDS],
      isDefault: true,
      webhooks: [],
    };
    this.byKey.set(defaultApiKey, this.defaultAccount);
  }

  create(): EmulatorAccount {
    const userIds = [0, 1, 2].map(() => this.nextUserId++);
    const eventTypeIds = [0, 1, 2].map(() => this.nextEventTypeId++);
    const n = userIds[0]! - FIRST_USER_ID + 1;
    const account: EmulatorAccount = {
      id: userIds[0]!,
      apiKey: `cal_test_${randomBytes(18).toString('hex')}`,
      email: `owner${n}@account${n}.cal.emulator.test`,
      username: `account-${n}-owner`,
      userIds,
      eventTypeIds,
      isDefault: false,
      webhooks: [],
    };
    this.byKey.set(account.apiKey, account);
    for (const id of userIds) this.userOwner.set(id, account);
    for (const id of eventTypeIds) this.eventTypeOwner.set(id, account);
    return account;
  }

  byApiKey(key: string): EmulatorAccount | undefined {
    return this.byKey.get(key);
  }

  ownerOfEventType(id: number): EmulatorAccount {
    return this.eventTypeOwner.get(id) ?? this.defaultAccount;
  }

  ownerOfUser(id: number): EmulatorAccount {
    return this.userOwner.get(id) ?? this.defaultAccount;
  }

  all(): EmulatorAccount[] {
    return [...this.byKey.values()];
  }
}
