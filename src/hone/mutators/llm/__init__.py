"""The `llm` mutator (`mutator.LLMMutator`): a chat model proposes SEARCH/REPLACE edits and
keeps a playbook of lessons. Kept import-free so the engine can read lessons cheaply."""
