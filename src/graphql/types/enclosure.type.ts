import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType('Enclosure', { description: 'A file attached to an article by its feed (podcast audio, an image, a PDF).' })
export class Enclosure {
  @Field({ description: 'Absolute URL of the file.' })
  url!: string;

  @Field(() => String, { nullable: true, description: 'MIME type as the feed states it, e.g. "audio/mpeg".' })
  type!: string | null;

  @Field(() => Int, { nullable: true, description: 'Size in bytes as the feed states it.' })
  length!: number | null;
}
