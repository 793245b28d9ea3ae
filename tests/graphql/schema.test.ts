import fs from 'node:fs';
import path from 'node:path';
import {
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  type GraphQLSchema,
} from 'graphql';
import { buildApiSchema, printApiSchema } from '../../src/graphql/schema';

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildApiSchema();
});

describe('the GraphQL schema', () => {
  it('matches the committed schema/schema.graphql (run `npm run schema` after changing the API)', () => {
    const committed = fs.readFileSync(path.join(__dirname, '..', '..', 'schema', 'schema.graphql'), 'utf8');
    expect(printApiSchema(schema)).toBe(committed);
  });

  it('describes every type, field, argument, input field and enum value', () => {
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || (isScalarType(type) && ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name))) continue;
      if (!type.description) missing.push(type.name);
      if (isObjectType(type) || isInterfaceType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
          for (const arg of field.args) if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
        }
      }
      if (isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) if (!field.description) missing.push(`${type.name}.${field.name}`);
      }
      if (isEnumType(type)) {
        for (const value of type.getValues()) if (!value.description) missing.push(`${type.name}.${value.name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('makes every major object a Node, and every growing list a connection', () => {
    const node = schema.getType('Node');
    for (const name of ['Foundation', 'Company', 'Membership', 'Feed', 'Article']) {
      const type = schema.getType(name);
      expect(isObjectType(type) && type.getInterfaces()).toContain(node);
    }
    const query = schema.getQueryType()!.getFields();
    for (const name of ['foundations', 'companies', 'memberships', 'feeds', 'articles']) {
      expect(String(query[name].type)).toMatch(/Connection!$/);
      expect(query[name].args.map((a) => a.name)).toEqual(expect.arrayContaining(['first', 'after', 'last', 'before', 'filter', 'orderBy']));
    }
  });
});
