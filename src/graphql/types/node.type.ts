import { Field, ID, InterfaceType } from 'type-graphql';

@InterfaceType('Node', {
  description: 'An object with a globally unique, opaque id. Any such object can be fetched again with `node(id:)`.',
})
export abstract class Node {
  @Field(() => ID, { description: 'Globally unique, opaque id of this object. Stable across restarts; do not parse it.' })
  id!: string;
}
