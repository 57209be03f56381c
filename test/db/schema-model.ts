/**
 * A deliberately small reader of prisma/schema.prisma for the drift test: models, their scalar
 * fields as database columns, indexes and foreign keys, named the way Prisma names them. It knows
 * only the constructs our schema uses; an unknown attribute makes it throw rather than guess.
 */
import fs from 'node:fs';

export interface Column {
  field: string;
  name: string;
  type: string;
  list: boolean;
  optional: boolean;
  hasDefault: boolean;
  dbType?: string;
}

export interface ForeignKey {
  name: string;
  columns: string[];
  refTable: string;
  onDelete: 'CASCADE' | 'RESTRICT' | 'SET NULL';
}

export interface Model {
  name: string;
  table: string;
  columns: Column[];
  /** index name -> unique? */
  indexes: Map<string, boolean>;
  foreignKeys: ForeignKey[];
}

const KNOWN_ATTRIBUTES = /^@(id|unique|default|map|db\.\w+|updatedAt|relation)\b/;

function argList(raw: string): string[] {
  return raw.split(',').map((s) => s.trim().replace(/^"|"$/g, '')).filter(Boolean);
}

export function readSchema(file: string): Model[] {
  const text = fs.readFileSync(file, 'utf8').replace(/\/\/.*$/gm, '');
  const blocks = [...text.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)];
  const tableOf = new Map<string, string>();
  for (const [, name, body] of blocks) tableOf.set(name, /@@map\("([^"]+)"\)/.exec(body)?.[1] ?? name);

  return blocks.map(([, name, body]) => {
    const table = tableOf.get(name)!;
    const columns: Column[] = [];
    const indexes = new Map<string, boolean>();
    const foreignKeys: ForeignKey[] = [];
    const relations: Array<{ fields: string[]; refModel: string; onDelete?: string; optional: boolean }> = [];
    const fieldLines = body.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('@@'));

    for (const line of fieldLines) {
      const m = /^(\w+)\s+(\w+)(\[\]|\?)?\s*(.*)$/.exec(line);
      if (!m) throw new Error(`unparsed line in model ${name}: ${line}`);
      const [, field, type, modifier, attrs] = m;
      if (tableOf.has(type)) {
        const rel = /@relation\((?:"\w+", )?fields: \[([^\]]+)\], references: \[[^\]]+\](?:, onDelete: (\w+))?\)/.exec(attrs);
        if (rel) relations.push({ fields: argList(rel[1]), refModel: type, onDelete: rel[2], optional: modifier === '?' });
        continue;
      }
      for (const attr of attrs.match(/@[\w.]+/g) ?? []) {
        if (!KNOWN_ATTRIBUTES.test(attr)) throw new Error(`unknown attribute ${attr} on ${name}.${field}`);
      }
      const column: Column = {
        field,
        name: /@map\("([^"]+)"\)/.exec(attrs)?.[1] ?? field,
        type,
        list: modifier === '[]',
        optional: modifier === '?',
        hasDefault: attrs.includes('@default('),
        dbType: /@db\.(\w+(?:\([^)]*\))?)/.exec(attrs)?.[1],
      };
      columns.push(column);
      if (attrs.includes('@id')) indexes.set(`${table}_pkey`, true);
      if (/@unique\b/.test(attrs)) indexes.set(`${table}_${column.name}_key`, true);
    }

    const colName = (field: string) => {
      const column = columns.find((c) => c.field === field);
      if (!column) throw new Error(`unknown field ${name}.${field}`);
      return column.name;
    };
    for (const [, kind, fields] of body.matchAll(/@@(index|unique)\(\[([^\]]+)\]\)/g)) {
      const cols = argList(fields).map(colName);
      indexes.set(`${table}_${cols.join('_')}_${kind === 'unique' ? 'key' : 'idx'}`, kind === 'unique');
    }
    // A composite primary key is named like a single-column one.
    if (/@@id\(\[/.test(body)) indexes.set(`${table}_pkey`, true);
    for (const rel of relations) {
      const cols = rel.fields.map(colName);
      const onDelete = rel.onDelete === 'Cascade' ? 'CASCADE' : rel.onDelete === 'SetNull' || (!rel.onDelete && rel.optional) ? 'SET NULL' : 'RESTRICT';
      foreignKeys.push({ name: `${table}_${cols.join('_')}_fkey`, columns: cols, refTable: tableOf.get(rel.refModel)!, onDelete });
    }
    return { name, table, columns, indexes, foreignKeys };
  });
}

/** information_schema description of the column Prisma would create. */
export function expectedColumnInfo(c: Column): { data_type: string; udt_name: string; is_nullable: 'YES' | 'NO'; has_default: boolean } {
  const scalar: Record<string, [string, string]> = {
    String: ['text', 'text'],
    Int: ['integer', 'int4'],
    BigInt: ['bigint', 'int8'],
    Boolean: ['boolean', 'bool'],
    Json: ['jsonb', 'jsonb'],
    Decimal: ['numeric', 'numeric'],
    DateTime: c.dbType === 'Date' ? ['date', 'date'] : c.dbType?.startsWith('Timestamptz') ? ['timestamp with time zone', 'timestamptz'] : ['timestamp without time zone', 'timestamp'],
  };
  const base = scalar[c.type];
  if (!base) throw new Error(`no mapping for type ${c.type}`);
  return {
    data_type: c.list ? 'ARRAY' : base[0],
    udt_name: c.list ? `_${base[1]}` : base[1],
    // Prisma creates scalar lists as nullable columns.
    is_nullable: c.optional || c.list ? 'YES' : 'NO',
    has_default: c.hasDefault,
  };
}
