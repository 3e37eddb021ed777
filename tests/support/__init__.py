"""Test support: the throwaway PostgreSQL server and shared helpers."""
