import { Field, ObjectType } from 'type-graphql';
import type { CompanyRecord } from '../../store/types';
import { toGlobalId } from '../relay/global-id';
import { Node } from './node.type';

@ObjectType('Company', {
  implements: Node,
  description:
    'A company, or any other organization that can be a foundation member (universities, nonprofits). Subsidiaries that member lists name on their own (GitHub, Red Hat) are companies with a `parent`.',
})
export class Company extends Node {
  rowId!: number;
  parentId!: number | null;

  @Field({ description: 'Short stable key, e.g. "amazon-web-services"; use it in filters and in `company(slug:)`.' })
  slug!: string;

  @Field({ description: 'Canonical name, without legal suffixes.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Homepage URL.' })
  homepage!: string | null;

  static from(record: CompanyRecord): Company {
    return Object.assign(new Company(), {
      id: toGlobalId('Company', record.id),
      rowId: record.id,
      parentId: record.parentId,
      slug: record.slug,
      name: record.name,
      homepage: record.homepage,
    });
  }
}
