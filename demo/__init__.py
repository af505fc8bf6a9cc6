"""Invented data for trying Helhedsplan out and for load tests: the demo figures of a plan
(`load_demo_data`), the demo users (`create_demo_users`) and the national dataset
(`generate_national_dataset`).

Development tooling, not a feature: it sits on top of the domain apps, writes their rows, and
no app imports it.
"""
