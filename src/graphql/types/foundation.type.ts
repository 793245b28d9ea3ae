import { Field, ObjectType } from 'type-graphql';
import type { FoundationRecord } from '../../store/types';
import { toGlobalId } from '../relay/global-id';
import { Node } from './node.type';

@ObjectType('Foundation', {
  implements: Node,
  description:
    'An open-source foundation (the Linux Foundation, CNCF, the Apache Software Foundation, ...). Foundations hosted by another one have it as `parent`.',
})
export class Foundation extends Node {
  rowId!: number;
  parentId!: number | null;

  @Field({ description: 'Short stable key, e.g. "pytorch-foundation"; use it in filters and in `foundation(slug:)`.' })
  slug!: string;

  @Field({ description: 'Official name.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Common abbreviation, e.g. "CNCF".' })
  shortName!: string | null;

  @Field(() => String, { nullable: true, description: 'One-sentence description.' })
  description!: string | null;

  @Field(() => String, { nullable: true, description: 'Homepage URL.' })
  homepage!: string | null;

  static from(record: FoundationRecord): Foundation {
    return Object.assign(new Foundation(), {
      id: toGlobalId('Foundation', record.id),
      rowId: record.id,
      parentId: record.parentId,
      slug: record.slug,
      name: record.name,
      shortName: record.shortName,
      description: record.description,
      homepage: record.homepage,
    });
  }
}
