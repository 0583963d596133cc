import { Injectable } from '@nestjs/common';

/** A signed-up user, with what the account setup adds once it succeeds. */
export interface User {
  readonly id: number;
  readonly email: string;
  readonly city: string;
  readonly signedUpAt: string;
  crmId?: string;
  fulfillmentCenter?: string;
}

/** The main database, in memory. Users are only ever added. */
@Injectable()
export class Users {
  private readonly rows = new Map<number, User>();

  insert(email: string, city: string, signedUpAt: string): User {
    const user: User = { id: this.rows.size + 1, email, city, signedUpAt };
    this.rows.set(user.id, user);
    return user;
  }

  get(id: number): User | undefined {
    return this.rows.get(id);
  }

  byEmail(email: string): User | undefined {
    return [...this.rows.values()].find((user) => user.email === email);
  }

  all(): User[] {
    return [...this.rows.values()];
  }

  update(id: number, patch: Pick<User, 'crmId' | 'fulfillmentCenter'>): void {
    const user = this.rows.get(id);
    if (user !== undefined) Object.assign(user, patch);
  }
}
