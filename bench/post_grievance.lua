-- wrk script: POST one realistic portal grievance per request (bench/intake_load.py).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[{"complainant":{"name":"测试用户","mobile":"13800138000","id_card":"11010519491231002X"},
"address":{"street":"光明街道","community":"东周","detail":"东周社区某路 1 号"},
"title":"路灯长期不亮","content":"我家楼下的路灯已经坏了两个多星期，晚上出门很不安全，希望尽快维修。",
"desired_outcome":"修好路灯"}]]
