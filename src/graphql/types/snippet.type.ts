import { Extensions, Field, Int, ObjectType } from 'type-graphql';
import type { CostHints } from '../limits';

@ObjectType('TextRange', { description: 'A stretch of a text, in JavaScript string units (UTF-16 code units): `text.slice(start, end)`.' })
export class TextRange {
  @Field(() => Int, { description: 'Offset of the first character.' })
  start!: number;

  @Field(() => Int, { description: 'Offset just after the last character (exclusive).' })
  end!: number;
}

@ObjectType('Snippet', {
  description: 'A short excerpt of an article around what a search matched, as plain text, with the positions of the matched terms: highlight them however suits (no HTML is injected).',
})
export class Snippet {
  @Field({ description: 'The excerpt, plain text; "…" marks where it was cut.' })
  text!: string;

  @Extensions({ cost: { listSize: 10 } satisfies CostHints })
  @Field(() => [TextRange], { description: 'Where the matched terms are in `text`, in order.' })
  marks!: TextRange[];

  /** From the store's excerpt, whose matches sit between U+0001 and U+0002. */
  static fromMarked(marked: string): Snippet {
    const marks: TextRange[] = [];
    let text = '';
    let start = -1;
    for (const char of marked) {
      if (char === '\u0001') start = text.length;
      else if (char === '\u0002') {
        if (start >= 0) marks.push(Object.assign(new TextRange(), { start, end: text.length }));
        start = -1;
      } else text += char;
    }
    return Object.assign(new Snippet(), { text, marks });
  }
}
