#!/usr/bin/env python
"""The shape of plugins/module_utils, read from its own import lines: files, imports among them, floors (a file
stands one floor above the highest file it imports), cycles, and the longest functions.

    python scripts/house.py [ROOT]

What the "one home" work measured before and after its moves; run it on any checkout to compare.
"""

import ast
import os
import sys

PREFIX = 'ansible_collections.backupops.jobs.plugins.module_utils.'


def read(root):
    folder = os.path.join(root, 'plugins', 'module_utils')
    imports, functions = {}, []
    for name in sorted(os.listdir(folder)):
        if not name.endswith('.py') or name == '__init__.py':
            continue
        module = name[:-3]
        with open(os.path.join(folder, name)) as handle:
            tree = ast.parse(handle.read())
        found = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module.startswith(PREFIX):
                    found.add(node.module[len(PREFIX):])
                elif node.module == PREFIX.rstrip('.'):
                    found.update(alias.name for alias in node.names)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                functions.append((node.end_lineno - node.lineno + 1, '%s.%s' % (module, node.name)))
        imports[module] = found
    return imports, functions


def floors(imports):
    floor, cycles = {}, []

    def visit(module, path):
        if module in path:
            cycles.append(path[path.index(module):] + [module])
            return 0
        if module not in floor:
            below = [visit(other, path + [module]) for other in imports.get(module, ())]
            floor[module] = 1 + max(below, default=0)
        return floor[module]
    for module in imports:
        visit(module, [])
    return floor, cycles


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    imports, functions = read(root)
    floor, cycles = floors(imports)
    print('files %d, imports %d, floors %d, cycles %d' % (
        len(imports), sum(len(found) for found in imports.values()), max(floor.values()), len(cycles)))
    for level in range(max(floor.values()), 0, -1):
        print('  floor %d: %s' % (level, ' '.join(sorted(name for name, at in floor.items() if at == level))))
    print('longest functions: %s' % ', '.join('%s %d' % (name, lines) for lines, name in sorted(functions)[-5:][::-1]))


if __name__ == '__main__':
    main()
