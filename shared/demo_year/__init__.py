"""The commissioning year `commissioning demo` tells, through the services' public HTTP APIs only.

A North Wales partnership (OPCC, health board, two councils) pools a budget and runs its
Community Safety Fund, its ring-fenced MoJ victims' fund and a "Your Community, Your Choice"
public vote; Dorset runs a £100-£3,000 community grant round; a contracted victims' service
reports, falls behind, is escalated and decommissioned. Figures come from the seed papers
(`data`); each step is a small function (`money`, `grants`, `victims`, `summary`), run in order
by `year.tell_year`.
"""
