import { Field, ObjectType } from 'type-graphql';
import { DateResolver } from 'graphql-scalars';
import type { MembershipRecord } from '../../store/types';
import { toGlobalId } from '../relay/global-id';
import { Node } from './node.type';

@ObjectType('Membership', {
  implements: Node,
  description:
    'A dated, sourced fact: a source stated on `statedOn` that `company` was a member of `foundation` (at `tier`, when the source says). Membership lists change: a fact says nothing about later dates unless `leftOn` is known.',
})
export class Membership extends Node {
  rowId!: number;
  companyId!: number;
  foundationId!: number;
  startedOn!: string;

  @Field(() => String, { nullable: true, description: 'Membership tier as the foundation names it ("Platinum", "Premier"); null when the source states none.' })
  tier!: string | null;

  @Field(() => DateResolver, { nullable: true, description: 'When the company joined, when known (first day of the month or year when the source gives only that).' })
  joinedOn!: string | null;

  @Field(() => DateResolver, { nullable: true, description: 'When the company left, when known.' })
  leftOn!: string | null;

  @Field(() => DateResolver, { description: 'When the source stated this fact (first day of the month or year when it is only that precise).' })
  statedOn!: string;

  @Field({ description: 'URL of the source that states this membership.' })
  source!: string;

  @Field(() => String, { nullable: true, description: 'Context from the source, e.g. "Founding governing-board member".' })
  note!: string | null;

  @Field({
    description:
      'True when, as far as the recorded facts go, the membership holds today: it started (joined, or at least was stated) on or before today and no leaving date on or before today is known.',
  })
  isActive(): boolean {
    const today = new Date().toISOString().slice(0, 10);
    return this.startedOn <= today && (this.leftOn === null || this.leftOn > today);
  }

  static from(record: MembershipRecord): Membership {
    return Object.assign(new Membership(), {
      id: toGlobalId('Membership', record.id),
      rowId: record.id,
      companyId: record.companyId,
      foundationId: record.foundationId,
      startedOn: record.joinedOn ?? record.statedOn,
      tier: record.tier,
      joinedOn: record.joinedOn,
      leftOn: record.leftOn,
      statedOn: record.statedOn,
      source: record.sourceUrl,
      note: record.note,
    });
  }
}
